import { isSlug } from './datasource.js';

/**
 * What a connection subscribes to: a datasource (`datasource:<id>`, only with a token for that
 * datasource) or a public channel (`public:<name>`, any connected client, rate limited per client IP).
 */
export type Channel =
  | { readonly kind: 'datasource'; readonly id: string }
  | { readonly kind: 'public'; readonly name: string };

export const CHANNEL_MAX_LENGTH = 48;

/** The channel a name denotes, or undefined: exactly `<kind>:<slug>`, nothing else. */
export const parseChannel = (text: string): Channel | undefined => {
  const separator = text.indexOf(':');
  if (separator < 0 || text.length > CHANNEL_MAX_LENGTH) return undefined;
  const kind = text.slice(0, separator);
  const name = text.slice(separator + 1);
  if (!isSlug(name)) return undefined;
  if (kind === 'datasource') return { kind, id: name };
  if (kind === 'public') return { kind, name };
  return undefined;
};

export const channelName = (channel: Channel): string =>
  channel.kind === 'datasource' ? `datasource:${channel.id}` : `public:${channel.name}`;

export const datasourceChannel = (id: string): string => channelName({ kind: 'datasource', id });
