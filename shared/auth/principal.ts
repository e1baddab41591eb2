import type { Role } from '../domain/users/user.js';

/** A per-key rate-limit policy, or `unlimited`, which is a guard-rail breach logged on every use. */
export type ApiKeyRateLimit =
  | { readonly burst: number; readonly perSeconds: number }
  | 'unlimited'
  | undefined;

/** Who is calling, as established by authentication. */
export type Principal =
  | {
      readonly kind: 'user';
      readonly id: string;
      readonly username: string;
      readonly roles: readonly Role[];
      readonly sessionId: string;
      readonly tokenId: string;
    }
  | {
      readonly kind: 'api_key';
      readonly id: string;
      readonly roles: readonly Role[];
      readonly rateLimit: ApiKeyRateLimit;
    }
  | { readonly kind: 'auth_disabled'; readonly id: string; readonly roles: readonly Role[] };

/** The kinds of credential a principal can present: an access token (Bearer) or an API key. */
export type CredentialKind = 'access_token' | 'api_key';

/** What `principal` authenticated with; a development principal (authentication disabled) with none. */
export const credentialKindOf = (principal: Principal): CredentialKind | undefined =>
  principal.kind === 'user' ? 'access_token' : principal.kind === 'api_key' ? 'api_key' : undefined;
