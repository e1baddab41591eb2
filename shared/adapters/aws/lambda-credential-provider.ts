import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What a bundled function uses in place of the AWS SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`, substituted at bundle time: infra/constructs/esm-bundling.ts).
 * Lambda gives every function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, so the chain's other sources (SSO, profiles, process, web identity, IMDS, container)
 * can never apply there; dropping them takes about 130 KiB of code, and the clients that come with them,
 * out of every bundle and its cold start. Local runs are not bundled and keep the full chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> =>
  fromEnv(init);
