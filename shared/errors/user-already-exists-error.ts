import { BulwarkError } from './bulwark-error.js';

export class UserAlreadyExistsError extends BulwarkError {
  constructor() {
    super('user-already-exists', { detail: 'A user with this username already exists.' });
    this.name = 'UserAlreadyExistsError';
  }
}
