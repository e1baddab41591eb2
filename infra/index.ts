/**
 * `bulwark/cdk`: deploy a team's routes with Bulwark's. DataStack holds the tables and secrets; BulwarkApi
 * builds, for every route of a table, the function, the method, the least-privilege grants the entry
 * declares and a canary release, plus the WAF, alarms and dashboard; with `realtime: { gateway }`, the
 * realtime gateway (a WebSocket API, RealtimeGateway) too.
 */

export { bulwarkRouteModules } from './bulwark-route-modules.js';
export { type RuntimeSettings, type StageConfig, type StageName, stageConfig, stageNames } from './config.js';
export {
  BulwarkApi,
  type BulwarkApiProps,
  defaultFunctionStacks,
  functionStackOf,
  maxFunctionsPerStack,
} from './constructs/bulwark-api.js';
export { grantLogTriage, modelArnsOf } from './constructs/log-triage-access.js';
export { RealtimeGateway, type RealtimeGatewayProps } from './constructs/realtime-gateway.js';
export {
  type SecretAccess,
  type SecretReaders,
  secretReaderRoleName,
  secretReadersOf,
} from './constructs/secret-readers.js';
export { addNagPacks } from './nag/nag-packs.js';
export {
  acknowledgeNistFindings,
  type NistAcknowledgement,
  nistAcknowledgements,
} from './nag/nist-acknowledgements.js';
export { bulwarkPackageRoot } from './repository-root.js';
export { ApiStack, type ApiStackProps } from './stacks/api-stack.js';
export { DataStack, type DataStackProps } from './stacks/data-stack.js';
export { stageConfigFromContext } from './stage-config-from-context.js';
