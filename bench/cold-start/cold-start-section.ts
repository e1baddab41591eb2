import { baselineId } from '../baseline/baseline-fixture.js';
import { markdownTable } from '../markdown-table.js';
import { figuresComment } from '../summary/section-figures.js';
import { coldStartChart } from './cold-start-chart.js';
import { coldStartFigures } from './cold-start-figures.js';
import { detailsTable, targetsTable } from './cold-start-tables.js';
import { type ColdStartVerdicts, coldStartTargets } from './cold-start-targets.js';
import { type ColdStartBenchResult, coldStartSettings, emptyModuleId } from './measure-cold-start.js';

export interface RunInfo {
  readonly date: string;
  readonly machineLine: string;
  readonly node: string;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
}

/** The `cold-start` section of docs/benchmarks.md. */
export const coldStartSection = (
  bench: ColdStartBenchResult,
  verdicts: ColdStartVerdicts,
  run: RunInfo,
): string => {
  const targets = targetsTable(bench, verdicts);
  const details = detailsTable(bench);
  const { runs, warmupRuns } = coldStartSettings;
  return [
    "## Cold start: Bulwark's functions against a hand-written handler",
    '',
    `Run ${run.date} on ${run.machineLine}; this part took ${bench.elapsedS.toFixed(0)} s; 1-min load average ` +
      `${run.loadAtStart} before it, ${run.loadAtEnd} after (above the core count means other work shared the ` +
      'machine: every figure is inflated, the ratios much less). Only the ratios carry from run to run.',
    '',
    `**${verdicts.line}**`,
    '',
    markdownTable(targets.header, targets.rows, targets.numeric),
    '',
    coldStartChart(targets),
    '',
    `*init*: module init, p50 of ${runs} cold starts. *init + 1st request*: init plus the first invocation in ` +
      "the same process, summed per cold start, p50. *ratio*: p50 over the hand-written baseline's p50 in this " +
      `run. Targets: init at most ${coldStartTargets.initRatio.toFixed(2)}x the baseline's ` +
      `(${coldStartTargets.lightInitRatio.toFixed(2)}x for ${coldStartTargets.lightFunctions.join(', ')}), every ` +
      `bundle below ${coldStartTargets.bundleKiB} KiB. *init + 1st ratio* has no target of its own: it is the ` +
      'check that a gain in init is real. Work moved from init into the first request lowers the init ratio ' +
      'and not this one, so an optimisation should lower both. `login`, `create-user` and `set-user-password` spend a bcrypt ' +
      "operation at cost 11 in their first request (a compare, a hash) that the baseline's request does not, " +
      'so their *init + 1st* ratios are high for that reason; their init ratios compare like the others.',
    '',
    '*CPU* columns: the same phases in CPU time of the child process (user + system over all its threads, ' +
      "`process.cpuUsage()`). Waiting does not count, neither for a stand-in's answer nor for a core on a busy " +
      'machine, so these ratios move much less from run to run. The targets are on the wall clock (what a ' +
      'caller waits for and Lambda bills); when the load average was above the core count, read a change in ' +
      'the wall-clock ratios against the CPU ones before believing it. A verdict that the CPU ratio ' +
      'contradicts says so in the verdict column. The wall-clock ratios of the authenticated functions grow ' +
      'with the load more than the CPU ones. One difference that waits: at init they read two secrets (the verification keys and the ' +
      "pepper, in parallel: two TLS connections) where the baseline reads one, and here every handshake's " +
      "server half runs on the same busy cores (the stand-in's), which on AWS it does not.",
    '',
    '### How it is measured',
    '',
    `- **Bundles.** The baseline and every function go through one esbuild call (\`bundleEntry\` in ` +
      '`bench/build-function-bundles.ts`) with the settings of `infra/constructs/esm-bundling.ts`: bundle, ' +
      "platform node, ESM, target node24, minified, `mainFields: ['module', 'main']`, the createRequire banner, " +
      'no externals (`@aws-sdk/*` is inside); then, for the functions, the rewrite the stack runs after esbuild (`hoistBuiltinImports`: static imports of Node built-ins become `process.getBuiltinModule` calls, about 3 ms of init measured). The baseline is bundled plainly, as a team without Bulwark would. No source map: the stack ships one beside the bundle, which the functions do not load (no `--enable-source-maps`). ' +
      'KiB = 1024 bytes of the `.mjs`.',
    `- **Cold starts.** \`node\` ${run.node} is spawned once per cold start, one child at a time: ` +
      `${warmupRuns} unmeasured warm-up round, then ${runs} runs, each starting every target once, in an ` +
      'order shuffled per run with a fixed seed, so machine drift hits all alike and no target always runs at the same point. *init* runs from the first line of a probe script to the end ' +
      'of `await import(bundle)`, top-level await included (configuration, clients, secrets loaded at init). ' +
      'The probe then calls `await handler(event, context)` once with a Lambda-shaped context: the first ' +
      `request. The \`${emptyModuleId}\` row imports an empty file: Node's floor. *ready* is the end of init ` +
      'measured from process start, Node bootstrap included.',
    "- **Stand-ins.** DynamoDB Local (Amazon's jar) behind a counting HTTPS proxy, with Bulwark's tables and " +
      "the baseline's; a local Secrets Manager that answers `GetSecretValue` over the real protocol " +
      '(awsJson1_1) from a fresh Ed25519 key set, its public JWKS and a pepper. Both serve HTTPS with a ' +
      'throwaway certificate (made with `openssl`, trusted by the children through `NODE_EXTRA_CA_CERTS`), as ' +
      "AWS's endpoints do: an `http://` endpoint sends the SDK down a path no deployed function takes (it " +
      'imports `node:http` as an ES module, whose facade loads undici in Node 24, tens of milliseconds). ' +
      'Each child gets what Lambda ' +
      'sets (region, credentials as environment variables, `AWS_EXECUTION_ENV`, no shared config files) and ' +
      "the SDK's own endpoint variables `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`, so " +
      "every SDK client, Bulwark's and the baseline's, takes its production path: credential chain, " +
      "signing, TLS, HTTP. Bulwark's `DYNAMODB_ENDPOINT` and `LOCAL_SECRETS_FILE` (which reads secrets from a file " +
      "instead of Secrets Manager) are not set. Bulwark's settings: `ENVIRONMENT=development`, " +
      '`LOG_LEVEL=error`, `API_RATE_LIMIT_REQUESTS=1000000` (samples must not run into the limit), ' +
      '`SECURITY_LIMITER_TIMEOUT_MS=2000` (a slow DynamoDB Local answer must not become a 503), ' +
      '`REALTIME_CONNECTS_PER_PRINCIPAL` and `REALTIME_CONNECTS_PER_IP` at 100000 (the same), `REALTIME_URL` and ' +
      '`REALTIME_CALLBACK_URL` on a host no request reaches (no first request sends to a connection), and ' +
      '`TRIAGE_LOCAL_LOG_DIR` on a folder of 20 error lines: the triage function reads the local log source, ' +
      'Logs Insights having no local stand-in. Everything else at its default, so the auth strategy is ' +
      '`jwt_or_api_key`.',
    '- **First requests**, one representative request per function, made fresh for each cold start through ' +
      "Bulwark's own services, each from its own caller address, Bearer access tokens throughout: " +
      '`health` and `jwks` GET; `login` with the right password; `refresh-token` with a fresh refresh token; ' +
      "`logout` with a fresh session's token; `current-user`; `create-user` (admin) creating a new user; " +
      '`create-api-key`, `list-api-keys`, `update-api-key` (roles), `rotate-api-key` and `revoke-api-key` (a ' +
      'fresh key) as admin; `list-users`, `show-user`, `update-user` (roles), `set-user-password`, ' +
      '`revoke-user-sessions` and `delete-user` (a fresh user where it changes one) as admin; `health-full` as ' +
      'admin; `summarize-errors` with `{}`; the realtime routes: `put-datasource` (roles of an existing one), ' +
      '`list-datasources`, `delete-datasource` (a fresh one), `publish-datasource-event` (a datasource nobody ' +
      'subscribes to) as admin, `create-datasource-token` as a user holding its read role, and, with the ' +
      '`gateway` role, `introspect-datasource-token` (a fresh token), `list-revoked-tokens` (a poll with the ' +
      'cursor of one a minute before, as a gateway polls) and ' +
      '`consume-rate-limit`; the gateway functions: `realtime-connect` a `$connect` offering a fresh datasource ' +
      'token, `realtime-message` a subscribe on a connection opened for it, `realtime-disconnect` a ' +
      '`$disconnect` of one, `realtime-revocations` a stream batch of one revoked session (its connections: ' +
      'none); `route-fallback` a CORS preflight (`OPTIONS /api/v1/user/me`); the baseline `PATCH /profile` ' +
      'changing the display name. An answer other than the expected one stops the bench.',
    '',
    '### The hand-written baseline, and why the comparison is fair',
    '',
    `\`bench/baseline/hand-written-handler.ts\` (\`${baselineId}\`) is one protected JSON route, ` +
      '`PATCH /profile`, written the way a competent team writes it without Bulwark, with the libraries and ' +
      "versions Bulwark's functions bundle: a `@middy/core` chain of Powertools' `injectLambdaContext`, " +
      "`@middy/http-header-normalizer` (Bulwark's chain has its own `normalizeHeaders` instead), " +
      '`@middy/http-cors` (one allowed origin) and ' +
      "`@middy/http-security-headers` (defaults); a zod body schema (`import * as z from 'zod'`, what " +
      "zod 4's documentation writes and what Bulwark uses; `import { z } from 'zod'` would bundle all of zod " +
      'classic and make the baseline slower, the target easier); jose `jwtVerify` of the Bearer token ' +
      "(EdDSA) against a local JWKS; bcryptjs for the route's password change (bundled and loaded; the " +
      "bench's request changes only the display name); `@aws-sdk/client-dynamodb` (one `UpdateItem`) and " +
      '`@aws-sdk/client-secrets-manager` clients and a Powertools `Logger`, all created at module scope with ' +
      'library defaults.',
    '',
    "- **Same work at init.** Bulwark's functions load their secrets at cold start (`assertSecrets`: the " +
      'verification keys and the pepper for authenticated routes, the signing keys for `login` and ' +
      "`refresh-token`, the public keys for `jwks`). The baseline fetches its public keys (Bulwark's " +
      'verification-key secret, a JWKS document) at init too, with top-level await, as the Lambda ' +
      'documentation shows for ESM handlers. Both do it through their own Secrets Manager client against ' +
      'the same stand-in, so each init pays the real SDK call; a team that fetched lazily would move that ' +
      'call into its first request, which the *init + 1st* column counts either way.',
    '- **Same everything else.** Same bundler call, same Node, same environment and stand-ins, same ' +
      'probe, same number of samples, interleaved in the same run on the same machine.',
    "- **What the baseline leaves out is Bulwark's feature set, not waste:** rate limiting (a DynamoDB write " +
      'per request), the session revocation check, API keys (hence the pepper), request ids, trusted hosts, ' +
      'body limits, problem+json answers, metrics, the login throttle. The targets say Bulwark must cold-start ' +
      'faster than the plain handler all the same.',
    '- Every function the stack deploys for a route or the realtime gateway is measured; `rotate-signing-keys` ' +
      '(invoked by Secrets Manager) and the operations functions (pre-traffic hook, health probe, guard-rail ' +
      'forwarder, bootstrap) are not.',
    '',
    '### Details',
    '',
    markdownTable(details.header, details.rows, details.numeric),
    '',
    '*Secrets Manager calls* and *DynamoDB calls*: requests the stand-ins answered during each cold start, ' +
      'init and first request together, min-max over the samples. *first answer*: status of the last ' +
      "sample's first request. *largest contributors*: bytes of the bundle per npm package, `(own code)` for " +
      "the project's.",
    '',
    figuresComment(coldStartFigures(targets, verdicts, run.date)),
  ].join('\n');
};
