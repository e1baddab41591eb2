/** Port: reads a JSON secret by id (an ARN on AWS). */
export interface SecretStore {
  readonly getSecretJson: (secretId: string) => Promise<Readonly<Record<string, unknown>>>;
  /** Fetches past any cache, for a caller that has proof the cached value is out of date. */
  readonly refreshSecretJson?: (secretId: string) => Promise<Readonly<Record<string, unknown>>>;
}

/** A secret's rotation as Secrets Manager describes it (DescribeSecret): dates only, never the value. */
export interface SecretRotation {
  /** False when nothing rotates the secret (rotation off, or a local stand-in that never rotates). */
  readonly rotationEnabled: boolean;
  readonly lastRotatedAtMs?: number;
  readonly nextRotationAtMs?: number;
}

/** Port: a secret's metadata, for the health check (`secretsmanager:DescribeSecret` alone). */
export interface SecretMetadataSource {
  readonly describeRotation: (secretId: string) => Promise<SecretRotation>;
}
