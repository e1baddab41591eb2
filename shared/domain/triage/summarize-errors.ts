import type { Redactor } from '../../logging/redact-sensitive.js';
import { callWithLastGood, type LastGoodDependencies } from '../breaker/call-with-last-good.js';
import type { Clock } from '../clock.js';
import { buildErrorDigest, type ErrorDigest } from './error-digest.js';
import { parseTriageAnswer } from './triage-answer.js';
import { requestShapeOf, type SummarizeErrorsBody } from './triage-body.js';
import type { ErrorLogSource, TriageModel } from './triage-ports.js';
import { triagePrompt } from './triage-prompt.js';

/** The route's answer: the digest, and the model's summary when one answered. */
export interface TriageReport extends ErrorDigest {
  readonly source: ErrorLogSource['kind'];
  /** The model that wrote `summary`, or null when none did (no model configured, or no errors). */
  readonly model: string | null;
  readonly summary: string | null;
  readonly likely_causes: readonly string[];
  readonly note?: string;
  readonly degraded: boolean;
  /** Only when degraded: how old the served answer is. */
  readonly age_seconds?: number;
}

export interface SummarizeErrorsDependencies {
  readonly source: ErrorLogSource;
  /** Absent when TRIAGE_MODEL_ID is empty: the digest alone is the answer. */
  readonly model?: {
    readonly model: TriageModel;
    readonly lastGood: LastGoodDependencies<TriageReport>;
    readonly cacheMaxAgeMs: number;
  };
  readonly redactor: Redactor;
  readonly clock: Clock;
  /** Budget of the log query. */
  readonly sourceTimeoutMs: number;
}

const caps = { maxGroups: 50, maxMessageLength: 300 } as const;
const retentionMs = 7 * 86_400_000;

export const noModelNote =
  'No model is configured (TRIAGE_MODEL_ID is empty): this is the grouped, redacted digest only; no summary was written.';
export const noErrorsNote = 'No error lines in the window: the model was not asked.';

/**
 * POST /debug/summarize-errors: reads the window's error lines, redacts and groups them, and (when a
 * model is configured and there is anything to say) asks the model for a summary through the breaker,
 * serving the last good answer for the same request shape while the model is down.
 */
export const summarizeErrors =
  (dependencies: SummarizeErrorsDependencies) =>
  async (body: SummarizeErrorsBody): Promise<TriageReport> => {
    const { source, clock, redactor } = dependencies;
    const toMs = clock.nowMs();
    const fromMs = toMs - body.window_minutes * 60_000;
    const records = await source.read(
      { fromMs, toMs, limit: body.limit },
      AbortSignal.timeout(dependencies.sourceTimeoutMs),
    );
    const digest = buildErrorDigest(records, { fromMs, toMs, redactor, ...caps });
    const base = { ...digest, source: source.kind, likely_causes: [], degraded: false } as const;
    const configured = dependencies.model;
    if (configured === undefined) return { ...base, model: null, summary: null, note: noModelNote };
    if (digest.groups.length === 0) return { ...base, model: null, summary: null, note: noErrorsNote };

    const prompt = triagePrompt(digest);
    const served = await callWithLastGood(configured.lastGood, {
      key: requestShapeOf(body),
      maxAgeMs: configured.cacheMaxAgeMs,
      retentionMs,
      call: async (signal) => {
        const answer = parseTriageAnswer(await configured.model.converse(prompt, signal));
        return {
          ...base,
          model: configured.model.id,
          // The model read only redacted text; its answer is redacted again all the same.
          summary: redactor.redactText(answer.summary),
          likely_causes: answer.likely_causes.map((cause) => redactor.redactText(cause)),
        };
      },
    });
    return served.degraded
      ? { ...served.value, degraded: true, age_seconds: served.ageSeconds }
      : served.value;
  };
