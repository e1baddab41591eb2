import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type BreakerStateStore,
  closedState,
  type LastGood,
  type LastGoodCache,
  type SharedBreakerState,
  type Transition,
} from '../../domain/breaker/breaker-state-store.js';

/** Partition keys of the breakers table (exact IAM grants in shared/routes/route-definition.ts). */
export const breakerStateKey = (dependency: string): string => `cb#${dependency}`;
export const lastGoodKey = (dependency: string, key: string): string => `lkg#${dependency}#${key}`;

const n = (value: number): AttributeValue => ({ N: String(value) });
const numberOf = (value: AttributeValue | undefined, fallback = 0): number =>
  value?.N === undefined ? fallback : Number(value.N);

const stateOf = (item: Record<string, AttributeValue> | undefined): SharedBreakerState => {
  if (item === undefined || item.state?.S === undefined) return closedState;
  const probeOwner = item.probeOwner?.S;
  const probeUntil = item.probeUntil?.N;
  return {
    state: item.state.S === 'open' ? 'open' : 'closed',
    openUntilMs: numberOf(item.openUntil),
    generation: numberOf(item.gen),
    streak: numberOf(item.streak),
    ...(probeOwner === undefined ? {} : { probeOwner }),
    ...(probeUntil === undefined ? {} : { probeUntilMs: Number(probeUntil) }),
  };
};

/**
 * The shared breaker state as one item per dependency, moved only by conditional UpdateItem: the
 * condition names the transition's precondition, so of any number of instances racing one wins; a loser
 * learns the winner's state from the failed write itself (ReturnValuesOnConditionCheckFailure ALL_OLD),
 * without a second read. Every other error is thrown for the breaker to absorb. The item never expires
 * (no TTL): it is one small item per dependency.
 */
export const dynamoDbBreakerStateStore = (client: DynamoDBClient, tableName: string): BreakerStateStore => {
  const transition = async (
    dependency: string,
    update: string,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<Transition> => {
    try {
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: breakerStateKey(dependency) } },
          UpdateExpression: update,
          ConditionExpression: condition,
          // `state` is a DynamoDB reserved word; the name is declared only where an expression uses it.
          ...(`${update} ${condition}`.includes('#state')
            ? { ExpressionAttributeNames: { '#state': 'state' } }
            : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { won: true, state: stateOf(Attributes) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { won: false, state: stateOf(error.Item) };
      throw error;
    }
  };

  return {
    read: async (dependency) => {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: breakerStateKey(dependency) } },
          ConsistentRead: true,
        }),
      );
      return stateOf(Item);
    },
    open: (dependency, nowMs, coolDownMs) =>
      transition(
        dependency,
        'SET #state = :open, openUntil = :until, gen = if_not_exists(gen, :zero) + :one, streak = :zero REMOVE probeOwner, probeUntil',
        'attribute_not_exists(#state) OR #state = :closed',
        {
          ':open': { S: 'open' },
          ':closed': { S: 'closed' },
          ':until': n(nowMs + coolDownMs),
          ':zero': n(0),
          ':one': n(1),
        },
      ),
    claimProbe: (dependency, owner, nowMs, probeTimeoutMs) =>
      transition(
        dependency,
        'SET probeOwner = :me, probeUntil = :probeUntil, gen = gen + :one',
        '#state = :open AND openUntil <= :now AND (attribute_not_exists(probeUntil) OR probeUntil < :now)',
        {
          ':open': { S: 'open' },
          ':me': { S: owner },
          ':now': n(nowMs),
          ':probeUntil': n(nowMs + probeTimeoutMs),
          ':one': n(1),
        },
      ),
    close: (dependency, owner) =>
      transition(
        dependency,
        'SET #state = :closed, streak = :zero, gen = gen + :one REMOVE probeOwner, probeUntil, openUntil',
        'probeOwner = :me',
        { ':closed': { S: 'closed' }, ':me': { S: owner }, ':zero': n(0), ':one': n(1) },
      ),
    reopen: (dependency, owner, openUntilMs) =>
      transition(
        dependency,
        'SET openUntil = :until, streak = streak + :one, gen = gen + :one REMOVE probeOwner, probeUntil',
        'probeOwner = :me',
        { ':me': { S: owner }, ':until': n(openUntilMs), ':one': n(1) },
      ),
  };
};

/**
 * Last good answers, one item per dependency and request shape, holding the answer as JSON with the time
 * it was stored and a TTL (`expiresAt`) that only cleans up: age is judged from `storedAt`, never from
 * whether DynamoDB has deleted the item yet. A write loses to a newer one (concurrent instances).
 */
export const dynamoDbLastGoodCache = <T>(client: DynamoDBClient, tableName: string): LastGoodCache<T> => ({
  get: async (dependency, key) => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: lastGoodKey(dependency, key) } } }),
    );
    const body = Item?.body?.S;
    if (Item === undefined || body === undefined) return undefined;
    return { value: JSON.parse(body) as T, storedAtMs: numberOf(Item.storedAt) } satisfies LastGood<T>;
  },
  put: async (dependency, key, value, nowMs, expiresAtMs) => {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: lastGoodKey(dependency, key) } },
          UpdateExpression: 'SET body = :body, storedAt = :now, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(storedAt) OR storedAt < :now',
          ExpressionAttributeValues: {
            ':body': { S: JSON.stringify(value) },
            ':now': n(nowMs),
            ':expires': n(Math.ceil(expiresAtMs / 1000)),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
});
