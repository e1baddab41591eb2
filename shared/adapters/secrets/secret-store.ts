/** Port: reads a JSON secret by id (an ARN on AWS). */
export interface SecretStore {
  readonly getSecretJson: (secretId: string) => Promise<Readonly<Record<string, unknown>>>;
}
