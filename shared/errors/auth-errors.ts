import { BulwarkError } from './bulwark-error.js';

/** The challenge names the header so a client that forgot it learns where the credential goes. */
const challenge = (header: string, error?: string): Record<string, string> => ({
  'WWW-Authenticate': `ApiKey realm="bulwark", header="${header}"${error === undefined ? '' : `, error="${error}"`}`,
});

export class CredentialsMissingError extends BulwarkError {
  constructor(header: string) {
    super('unauthenticated', {
      detail: `This route requires a credential in the ${header} header.`,
      headers: challenge(header),
    });
    this.name = 'CredentialsMissingError';
  }
}

export class CredentialsInvalidError extends BulwarkError {
  constructor(header: string) {
    super('invalid-credentials', {
      detail: 'The credential presented is not valid.',
      headers: challenge(header, 'invalid_key'),
    });
    this.name = 'CredentialsInvalidError';
  }
}
