import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ConsumeResult,
  RateLimitBackendError,
  type RateLimitStore,
  type RecordProof,
} from '../../domain/rate-limit/rate-limit-store.js';

const numberOf = (value: AttributeValue | undefined): number | undefined =>
  value?.N === undefined ? undefined : Number(value.N);

const n = (value: number): AttributeValue => ({ N: String(value) });

/** The one conditional update a decision makes, alone or inside a transaction. */
interface UpdateInput {
  readonly Key: Record<string, AttributeValue>;
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

interface WriteResult {
  readonly admitted: boolean;
  readonly item: Record<string, AttributeValue> | undefined;
  readonly guardFailed: boolean;
}

/** The API-key record attributes a proof tests (dynamodb-api-key-store.ts writes them). */
const proofNames = { '#version': 'version', '#revoked': 'revoked', '#expiresAtMs': 'expiresAtMs' };
const proofCondition =
  '#version = :version AND #revoked = :false AND (attribute_not_exists(#expiresAtMs) OR #expiresAtMs > :proofNow)';
const proofValues = (record: RecordProof): Record<string, AttributeValue> => ({
  ':version': n(record.version),
  ':false': { BOOL: false },
  ':proofNow': n(record.nowMs),
});
/** The same test on a stored item (ALL_OLD, or a read): what tells "record changed" from "limit reached". */
const proofHolds = (item: Record<string, AttributeValue> | undefined, record: RecordProof): boolean => {
  if (item === undefined) return false;
  const expiresAtMs = numberOf(item.expiresAtMs);
  return (
    numberOf(item.version) === record.version &&
    item.revoked?.BOOL === false &&
    (expiresAtMs === undefined || expiresAtMs > record.nowMs)
  );
};

/** Tries one write on a record item; a failed condition returns the stored item (ALL_OLD). */
interface RecordWrite {
  readonly admitted: boolean;
  readonly item: Record<string, AttributeValue> | undefined;
  /** A concurrent transaction on the item (a realtime connect checks the record): nothing was decided. */
  readonly conflicted: boolean;
}

/** Attempts of one record decision: a slot shape guessed wrong, or a conflicting transaction. */
const recordAttempts = 3;

/**
 * Rate-limit state as one item per key (`pk`), decided by conditional UpdateItem. A failed condition
 * is a decision, returned with the stored item (ALL_OLD); every other failure is a backend error.
 * With revocation markers to check (`mustNotExist`, keys in `guardTableName`), the same update goes
 * into a TransactWriteItems with one ConditionCheck per marker: still one round trip.
 *
 * A principal with a record (an API key, in `recordTableName` keyed by `keyId`) keeps its state on that
 * record instead, one attribute (slot) per route and policy, and every write's condition also proves
 * the record unchanged (ADR 0005): the write that spends quota is the proof that the cached key is
 * still valid.
 */
export const dynamoDbRateLimitStore = (
  client: DynamoDBClient,
  tableName: string,
  guardTableName?: string,
  recordTableName?: string,
): RateLimitStore => {
  const recordTable = (): string => {
    if (recordTableName === undefined) throw new TypeError('record-kept limits need the record table name');
    return recordTableName;
  };

  const writeRecord = async (record: RecordProof, input: Omit<UpdateInput, 'Key'>): Promise<RecordWrite> => {
    try {
      const output = await client.send(
        new UpdateItemCommand({
          ...input,
          TableName: recordTable(),
          Key: { keyId: { S: record.id } },
          ConditionExpression: `${proofCondition} AND ${input.ConditionExpression}`,
          ExpressionAttributeNames: { ...proofNames, ...input.ExpressionAttributeNames },
          ExpressionAttributeValues: { ...proofValues(record), ...input.ExpressionAttributeValues },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, item: output.Attributes, conflicted: false };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        return { admitted: false, item: error.Item, conflicted: false };
      if (error instanceof TransactionConflictException)
        return { admitted: false, item: undefined, conflicted: true };
      throw new RateLimitBackendError(error);
    }
  };

  /** Runs `attempt` until it decides; each try is one round trip, reported as `calls`. */
  const decideOnRecord = async (
    attempt: (calls: number) => Promise<Omit<ConsumeResult, 'calls'> | undefined>,
  ): Promise<ConsumeResult> => {
    for (let calls = 1; calls <= recordAttempts; calls += 1) {
      const result = await attempt(calls);
      if (result !== undefined) return { ...result, calls };
    }
    // Only a record under constant transactional traffic gets here: no decision was made.
    throw new RateLimitBackendError(new Error('record write kept conflicting'));
  };

  const changed: Omit<ConsumeResult, 'calls'> = {
    admitted: false,
    value: undefined,
    guardFailed: false,
    recordChanged: true,
  };

  /**
   * A token bucket on a record: the same two writes as a keyed bucket (idle and busy), under the proof.
   * The slot carries no expiry: records are never deleted by TTL, and a passed TAT is a full bucket.
   */
  const bucketOnRecord = (
    record: RecordProof,
    slot: string,
    request: { assume: 'idle' | 'busy'; nowMs: number; intervalMs: number; toleranceMs: number },
  ): Promise<ConsumeResult> => {
    return decideOnRecord(async () => {
      const names = { '#slot': slot };
      const written =
        request.assume === 'idle'
          ? await writeRecord(record, {
              UpdateExpression: 'SET #slot = :next',
              ConditionExpression: '(attribute_not_exists(#slot) OR #slot <= :now)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':next': n(request.nowMs + request.intervalMs),
                ':now': n(request.nowMs),
              },
            })
          : await writeRecord(record, {
              UpdateExpression: 'SET #slot = if_not_exists(#slot, :now) + :interval',
              ConditionExpression: '(attribute_not_exists(#slot) OR (#slot > :now AND #slot <= :latest))',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':interval': n(request.intervalMs),
                ':now': n(request.nowMs),
                ':latest': n(request.nowMs + request.toleranceMs),
              },
            });
      if (written.conflicted) return undefined;
      if (!written.admitted && !proofHolds(written.item, record)) return changed;
      // A wrong guess is the limiter's to correct from the stored TAT, as for a keyed bucket.
      return {
        admitted: written.admitted,
        value: numberOf(written.item?.[slot]),
        guardFailed: false,
      };
    });
  };

  /**
   * A fixed window on a record: the slot holds one window at a time (`{ w: start, c: count }`), so a
   * write either counts in the window the slot holds (`current`) or replaces an older one (`fresh`).
   * `current` is tried first, since only the first request of a window anywhere finds it older; a
   * refusal's stored item (ALL_OLD) says which write is right. A slot holding a later window (an
   * instance whose clock is behind) is a reject: stricter, never more.
   */
  const windowOnRecord = (
    record: RecordProof & { readonly windowStartMs: number },
    slot: string,
    limit: number,
    take: number,
  ): Promise<ConsumeResult> => {
    let shape: 'current' | 'fresh' = 'current';
    return decideOnRecord(async () => {
      const names = { '#slot': slot, '#w': 'w', '#c': 'c' };
      const written =
        shape === 'current'
          ? await writeRecord(record, {
              UpdateExpression: 'SET #slot.#c = #slot.#c + :take',
              ConditionExpression: '#slot.#w = :window AND #slot.#c <= :most',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':take': n(take),
                ':window': n(record.windowStartMs),
                ':most': n(limit - take),
              },
            })
          : await writeRecord(record, {
              UpdateExpression: 'SET #slot = :fresh',
              ConditionExpression: '(attribute_not_exists(#slot) OR #slot.#w < :window)',
              ExpressionAttributeNames: { '#slot': slot, '#w': 'w' },
              ExpressionAttributeValues: {
                ':fresh': { M: { w: n(record.windowStartMs), c: n(take) } },
                ':window': n(record.windowStartMs),
              },
            });
      if (written.conflicted) return undefined;
      const stored = written.item?.[slot]?.M;
      if (written.admitted) return { admitted: true, value: numberOf(stored?.c), guardFailed: false };
      if (!proofHolds(written.item, record)) return changed;
      const storedWindow = numberOf(stored?.w);
      if (storedWindow === record.windowStartMs) {
        const count = numberOf(stored?.c) ?? limit;
        // Room for this take after all: another instance started the window first.
        if (shape === 'fresh' && count + take <= limit) {
          shape = 'current';
          return undefined;
        }
        return { admitted: false, value: count, guardFailed: false };
      }
      if (storedWindow !== undefined && storedWindow > record.windowStartMs)
        return { admitted: false, value: limit, guardFailed: false };
      shape = 'fresh';
      return undefined;
    });
  };

  const recordIsCurrent = async (record: RecordProof): Promise<boolean> => {
    try {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: recordTable(),
          Key: { keyId: { S: record.id } },
          ConsistentRead: true,
          ProjectionExpression: '#version, #revoked, #expiresAtMs',
          ExpressionAttributeNames: proofNames,
        }),
      );
      return proofHolds(Item, record);
    } catch (error) {
      throw new RateLimitBackendError(error);
    }
  };

  const anyGuardExists = async (keys: readonly string[]): Promise<boolean> => {
    if (keys.length === 0) return false;
    if (guardTableName === undefined) throw new TypeError('guard lookups need the guard table name');
    try {
      const found = await Promise.all(
        keys.map(async (guardKey) => {
          const { Item } = await client.send(
            new GetItemCommand({
              TableName: guardTableName,
              Key: { pk: { S: guardKey } },
              ConsistentRead: true,
              ProjectionExpression: 'pk',
            }),
          );
          return Item !== undefined;
        }),
      );
      return found.some((present) => present);
    } catch (error) {
      throw new RateLimitBackendError(error);
    }
  };

  /**
   * Concurrent transactions that touch one item cancel each other (TransactionConflict), and every
   * request of a session checks the same revocation marker. Rather than retrying into more conflicts,
   * a conflicted decision falls back to the plain conditional write and then a consistent read of the
   * markers: two calls instead of one, only for those requests, and always a decision. The read comes
   * after the write, so a logout that completed before the read is seen; reading first would let a
   * logout landing between the read and the write admit one request. The price is that a request
   * refused this way may have spent one unit of quota.
   */
  const untransacted = async (input: UpdateInput, mustNotExist: readonly string[]): Promise<WriteResult> => {
    const written = await update(input);
    if (await anyGuardExists(mustNotExist)) return { ...written, admitted: false, guardFailed: true };
    return written;
  };

  const transact = async (input: UpdateInput, mustNotExist: readonly string[]): Promise<WriteResult> => {
    if (guardTableName === undefined)
      throw new TypeError('guarded rate-limit writes need the guard table name');
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { ...input, TableName: tableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            ...mustNotExist.map((guardKey) => ({
              ConditionCheck: {
                TableName: guardTableName,
                Key: { pk: { S: guardKey } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ],
        }),
      );
      return { admitted: true, item: undefined, guardFailed: false };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw new RateLimitBackendError(error);
      const reasons = error.CancellationReasons ?? [];
      if (reasons.slice(1).some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        return { admitted: false, item: undefined, guardFailed: true };
      }
      if (reasons[0]?.Code === 'ConditionalCheckFailed') {
        return { admitted: false, item: reasons[0].Item, guardFailed: false };
      }
      if (reasons.some((reason) => reason.Code === 'TransactionConflict'))
        return untransacted(input, mustNotExist);
      // Throttling or a system error: no decision was made.
      throw new RateLimitBackendError(error);
    }
  };

  const update = async (input: UpdateInput, mustNotExist: readonly string[] = []): Promise<WriteResult> => {
    if (mustNotExist.length > 0) return transact(input, mustNotExist);
    try {
      const output = await client.send(
        new UpdateItemCommand({
          ...input,
          TableName: tableName,
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { admitted: true, item: output.Attributes, guardFailed: false };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { admitted: false, item: error.Item, guardFailed: false };
      }
      throw new RateLimitBackendError(error);
    }
  };

  return {
    anyGuardExists,
    recordIsCurrent,

    consumeTokenBucket: async ({
      key,
      assume,
      nowMs,
      intervalMs,
      toleranceMs,
      expiresAtSeconds,
      mustNotExist,
      record,
    }) => {
      if (record !== undefined) {
        if ((mustNotExist ?? []).length > 0)
          throw new TypeError('a record proof takes no revocation markers');
        return bucketOnRecord(record, key, { assume, nowMs, intervalMs, toleranceMs });
      }
      const names = { '#tat': 'tat', '#expiresAt': 'expiresAt' };
      const result =
        assume === 'idle'
          ? await update(
              {
                Key: { pk: { S: key } },
                UpdateExpression: 'SET #tat = :next, #expiresAt = :expiresAt',
                ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: {
                  ':next': n(nowMs + intervalMs),
                  ':now': n(nowMs),
                  ':expiresAt': n(expiresAtSeconds),
                },
              },
              mustNotExist,
            )
          : await update(
              {
                Key: { pk: { S: key } },
                // Right for a missing item too (TAT := now + interval), so a cold guess of busy is
                // wrong only for an existing idle bucket.
                UpdateExpression: 'SET #tat = if_not_exists(#tat, :now) + :interval, #expiresAt = :expiresAt',
                ConditionExpression: 'attribute_not_exists(#tat) OR (#tat > :now AND #tat <= :latest)',
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: {
                  ':interval': n(intervalMs),
                  ':now': n(nowMs),
                  ':latest': n(nowMs + toleranceMs),
                  ':expiresAt': n(expiresAtSeconds),
                },
              },
              mustNotExist,
            );
      return {
        admitted: result.admitted,
        value: numberOf(result.item?.tat),
        guardFailed: result.guardFailed,
      };
    },

    consumeFixedWindow: async ({ key, limit, take = 1, expiresAtSeconds, mustNotExist, record }) => {
      if (!Number.isInteger(take) || take < 1 || take > limit)
        throw new TypeError('take must be a whole number from 1 to the limit');
      if (record !== undefined) {
        if ((mustNotExist ?? []).length > 0)
          throw new TypeError('a record proof takes no revocation markers');
        return windowOnRecord(record, key, limit, take);
      }
      const result = await update(
        {
          Key: { pk: { S: key } },
          UpdateExpression: 'ADD #count :take SET #expiresAt = :expiresAt',
          // count + take <= limit, with the arithmetic on our side: conditions cannot add.
          ConditionExpression: 'attribute_not_exists(#count) OR #count <= :most',
          ExpressionAttributeNames: { '#count': 'count', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ':take': n(take),
            ':most': n(limit - take),
            ':expiresAt': n(expiresAtSeconds),
          },
        },
        mustNotExist,
      );
      return {
        admitted: result.admitted,
        value: numberOf(result.item?.count),
        guardFailed: result.guardFailed,
      };
    },
  };
};
