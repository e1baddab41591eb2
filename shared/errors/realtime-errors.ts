import { BulwarkError } from './bulwark-error.js';

export class DatasourceNotFoundError extends BulwarkError {
  constructor() {
    super('not-found', { detail: 'No datasource with this id.' });
    this.name = 'DatasourceNotFoundError';
  }
}

export class DatasourceIdMalformedError extends BulwarkError {
  constructor() {
    super('malformed-request', {
      detail: 'A datasource id is 1-32 lowercase letters, digits or inner hyphens.',
    });
    this.name = 'DatasourceIdMalformedError';
  }
}

/** The principal holds none of the roles a datasource lists for what it asked (read or write). */
export class DatasourceRoleMissingError extends BulwarkError {
  constructor(access: 'read' | 'write') {
    super('forbidden', {
      detail:
        access === 'read'
          ? "The principal holds none of this datasource's read roles."
          : "The principal holds none of this datasource's write roles.",
    });
    this.name = 'DatasourceRoleMissingError';
  }
}

/** A subscribe to a datasource the connection's token does not cover. */
export class ChannelNotCoveredError extends BulwarkError {
  constructor() {
    super('forbidden', { detail: "The connection's datasource token does not cover this channel." });
    this.name = 'ChannelNotCoveredError';
  }
}

export class SubscriptionLimitError extends BulwarkError {
  constructor(maxSubscriptions: number) {
    super('subscription-limit', {
      detail: `A connection may hold at most ${maxSubscriptions} subscriptions; unsubscribe from one first.`,
    });
    this.name = 'SubscriptionLimitError';
  }
}

/** Sent before the gateway closes a connection whose session or API key was revoked. */
export class ConnectionRevokedError extends BulwarkError {
  constructor() {
    super('connection-revoked', {
      detail: 'The session or API key this connection was opened with was revoked; the connection is closed.',
    });
    this.name = 'ConnectionRevokedError';
  }
}

/** Sent before the gateway closes a connection whose datasource was deleted. */
export class DatasourceDeletedError extends BulwarkError {
  constructor() {
    super('datasource-deleted', {
      detail: "The connection's datasource was deleted; the connection is closed.",
    });
    this.name = 'DatasourceDeletedError';
  }
}

/** A message on a connection the gateway no longer knows (closed, or closing after a revocation). */
export class ConnectionUnknownError extends BulwarkError {
  constructor() {
    super('unauthenticated', {
      detail: 'This connection is closed; connect again with a new datasource token.',
    });
    this.name = 'ConnectionUnknownError';
  }
}
