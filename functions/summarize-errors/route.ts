import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import { NoAnswerError } from '../../shared/domain/breaker/call-with-last-good.js';
import { summarizeErrorsBody } from '../../shared/domain/triage/triage-body.js';
import { asTriageReportBody, triageReportBody } from '../../shared/domain/triage/triage-report-body.js';
import { BulwarkError } from '../../shared/errors/bulwark-error.js';
import { DependencyUnavailableError, TriageUnavailableError } from '../../shared/errors/request-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { triageFor } from '../../shared/runtime/triage-for.js';

/**
 * Admin log triage: the window's error lines, redacted and grouped, with the model's summary when
 * TRIAGE_MODEL_ID is set (200, `degraded: true` with the answer's age while the model is down and a
 * recent answer exists; 503 `triage-unavailable` with Retry-After otherwise). An empty body takes the
 * defaults (the last 60 minutes, 200 lines).
 */
const responses = {
  200: {
    description:
      "The digest, with the model's summary when one is configured (`degraded: true` and `age_seconds`: its last good answer while it is down)",
    body: triageReportBody,
    headers: z.object({
      'Cache-Control': z
        .literal('no-store')
        .clone()
        .register(z.globalRegistry, { description: 'Log digests are never cached on the way' }),
    }),
  },
} as const;

export const route = secureRoute(
  routes,
  'summarize-errors',
  {
    body: summarizeErrorsBody,
    emptyBody: {},
    responses,
    // service-unavailable (the log source failed) comes with every route that calls a backend.
    problems: ['triage-unavailable'],
  },
  (runtime) => {
    const triage = triageFor(runtime);
    return async ({ body, principal, log }) => {
      let report: Awaited<ReturnType<typeof triage>>;
      try {
        report = await triage(body);
      } catch (error) {
        if (error instanceof NoAnswerError)
          throw new TriageUnavailableError(error.retryAfterSeconds, error.cause);
        if (error instanceof BulwarkError) throw error;
        // The log source (Logs Insights, or the local files) failed or ran out of time.
        throw new DependencyUnavailableError('cloudwatch-logs', error, 5);
      }
      log.info('errors summarised', {
        by: principal?.id,
        source: report.source,
        error_lines: report.error_lines,
        groups: report.groups_total,
        model: report.model,
        degraded: report.degraded,
      });
      return jsonResponse(200, asTriageReportBody(report), { 'Cache-Control': 'no-store' });
    };
  },
);
