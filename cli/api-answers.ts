import type {
  apiKeyViewBody,
  datasourceViewBody,
  fullHealthBody,
  issuedApiKeyBody,
  publicUserBody,
  sessionsRevokedBody,
  tokenPairBody,
  triageReportBody,
  updatedUserBody,
  userListBody,
} from 'bulwark';
import type * as z from 'zod/mini';

/*
 * The API's answers as the CLI reads them, typed by the zod schemas the route modules declare (and the
 * OpenAPI document is generated from), so the CLI and the API cannot drift apart silently. Types only:
 * the CLI loads nothing of the stack at run time and talks to it over HTTP alone.
 */
export type ApiKeyView = z.output<typeof apiKeyViewBody>;
export type IssuedApiKey = z.output<typeof issuedApiKeyBody>;
export interface ApiKeyList {
  readonly keys: readonly ApiKeyView[];
}
export type PublicUser = z.output<typeof publicUserBody>;
export type UserList = z.output<typeof userListBody>;
export type UpdatedUser = z.output<typeof updatedUserBody>;
export type SessionsRevoked = z.output<typeof sessionsRevokedBody>;
export type TokenPair = z.output<typeof tokenPairBody>;
export type FullHealth = z.output<typeof fullHealthBody>;
export type DatasourceView = z.output<typeof datasourceViewBody>;
export type TriageReport = z.output<typeof triageReportBody>;
