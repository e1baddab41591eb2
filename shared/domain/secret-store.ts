/** Port: reads a JSON secret by id (an ARN on AWS). */
export interface SecretStore {
  readonly getSecretJson: (secretId: string) => Promise<Readonly<Record<string, unknown>>>;
  /** Fetches past any cache, for a caller that has proof the cached value is out of date. */
  readonly refreshSecretJson?: (secretId: string) => Promise<Readonly<Record<string, unknown>>>;
}
