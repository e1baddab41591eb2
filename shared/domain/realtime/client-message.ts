import * as z from 'zod/mini';
import type { BulwarkError } from '../../errors/bulwark-error.js';
import { fieldErrorsOf } from '../../errors/field-errors.js';
import {
  JsonMalformedError,
  RequestBodyTooLargeError,
  RequestValidationError,
} from '../../errors/request-errors.js';
import { CHANNEL_MAX_LENGTH, type Channel, parseChannel } from './channel.js';

/** An id the client may attach to an action; every answer to it carries the same id. */
const messageId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9._:-]+$/, 'must be 1-64 letters, digits or ._:-'),
  );

const channelText = z.string().check(
  z.maxLength(CHANNEL_MAX_LENGTH),
  z.refine((text) => parseChannel(text) !== undefined, {
    message: 'must be datasource:<id> or public:<name> (1-32 lowercase letters, digits or inner hyphens)',
  }),
);

/** One action per message, strictly: unknown actions and unknown fields are refused. */
export const clientMessageSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('subscribe'), channel: channelText, id: z.optional(messageId) }),
  z.strictObject({ action: z.literal('unsubscribe'), channel: channelText, id: z.optional(messageId) }),
]);

export interface ClientMessage {
  readonly action: 'subscribe' | 'unsubscribe';
  readonly channel: Channel;
  /** The channel as the client wrote it (already validated): answers name it back. */
  readonly channelName: string;
  readonly id: string | undefined;
}

export type ParsedClientMessage =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly error: BulwarkError; readonly id: string | undefined };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The id of a message that failed validation, when it has a valid one, so the error can be correlated. */
const idOf = (value: unknown): string | undefined => {
  if (value === null || typeof value !== 'object') return undefined;
  const parsed = messageId.safeParse((value as { id?: unknown }).id);
  return parsed.success ? parsed.data : undefined;
};

/**
 * Parses one client message: at most `maxBytes` of UTF-8 JSON holding one action. Never throws: an
 * oversized, binary, malformed or invalid message is an error to answer with (413, 400, 422), and the
 * field errors name paths and rules, never the values sent.
 */
export const parseClientMessage = (
  body: string | null | undefined,
  options: { readonly maxBytes: number; readonly isBase64Encoded?: boolean },
): ParsedClientMessage => {
  const raw = body ?? '';
  let text: string;
  try {
    const bytes = options.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.length > options.maxBytes)
      return { ok: false, error: new RequestBodyTooLargeError(options.maxBytes), id: undefined };
    text = options.isBase64Encoded === true ? utf8.decode(bytes) : raw;
  } catch (error) {
    return { ok: false, error: new JsonMalformedError(error), id: undefined };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: new JsonMalformedError(error), id: undefined };
  }
  const result = clientMessageSchema.safeParse(value);
  if (!result.success)
    return {
      ok: false,
      error: new RequestValidationError(fieldErrorsOf(result.error, value)),
      id: idOf(value),
    };
  const channel = parseChannel(result.data.channel);
  if (channel === undefined) throw new TypeError('a validated channel did not parse');
  return {
    ok: true,
    message: { action: result.data.action, channel, channelName: result.data.channel, id: result.data.id },
  };
};
