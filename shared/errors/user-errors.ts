import { BulwarkError } from './bulwark-error.js';

/** An administrative request named a user that does not exist (404). */
export class UserNotFoundError extends BulwarkError {
  constructor() {
    super('not-found', { detail: 'No user has this username.' });
    this.name = 'UserNotFoundError';
  }
}

/** The user record changed between the reads and the write of a deletion (409): repeat it. */
export class UserChangedError extends BulwarkError {
  constructor() {
    super('conflict', { detail: 'The user was changed by another request meanwhile; repeat the request.' });
    this.name = 'UserChangedError';
  }
}
