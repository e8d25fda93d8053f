import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../domain/errors';
import type { DeliveryAttempt, StoredSubscription, Subscription } from '../../domain/subscriptions';
import type { SubscriptionStore } from '../../ports';
import { DELETABLE_PARTITIONS, INDEXES } from './table-design';

export interface DynamoSubscriptionStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Subscriptions in the single table: one item each (`SUB#<id>`), listed from one partition of the
 * `all` index (SUBSCRIPTIONS: a district has tens, never a scan); their delivery attempts live in
 * the subscription's own partition, newest first by time.
 */
export const SUBSCRIPTIONS_PARTITION = 'SUBSCRIPTIONS';
const subscriptionKey = (id: string) => ({ pk: `${DELETABLE_PARTITIONS.subscription}${id}`, sk: 'SUB' });
const ATTEMPT_PREFIX = 'ATTEMPT#';
const MAX_LIST_PAGES = 20;

const FIELDS = [
  'id',
  'name',
  'url',
  'filter',
  'events',
  'createdAt',
  'createdBy',
] as const satisfies readonly (keyof Subscription)[];

const subscriptionOf = (item: Record<string, unknown>): Subscription =>
  Object.fromEntries(FIELDS.map((field) => [field, item[field]])) as unknown as Subscription;

const ATTEMPT_FIELDS = [
  'subscriptionId',
  'eventId',
  'type',
  'caseId',
  'attempt',
  'at',
  'outcome',
  'status',
  'error',
  'durationMs',
  'nextAttemptAt',
] as const satisfies readonly (keyof DeliveryAttempt)[];

const attemptOf = (item: Record<string, unknown>): DeliveryAttempt =>
  Object.fromEntries(
    ATTEMPT_FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
  ) as unknown as DeliveryAttempt;

const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

const decodeCursor = (cursor: string, subscriptionId: string): Record<string, string> => {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      key.pk === `SUB#${subscriptionId}` &&
      typeof key.sk === 'string' &&
      key.sk.startsWith(ATTEMPT_PREFIX) &&
      Object.keys(key).length === 2
    ) {
      return key as Record<string, string>;
    }
  } catch {
    // falls through to the refusal
  }
  throw new InvalidInputError('cursor', 'invalid_cursor', 'the cursor does not belong to this query');
};

export class DynamoSubscriptionStore implements SubscriptionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoSubscriptionStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create({ subscription, secret }: StoredSubscription): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...subscription,
          ...subscriptionKey(subscription.id),
          entity: 'subscription',
          secret,
          [INDEXES.all.partitionKey]: SUBSCRIPTIONS_PARTITION,
          [INDEXES.all.sortKey]: `${subscription.createdAt}#${subscription.id}`,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<StoredSubscription | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: subscriptionKey(id), ConsistentRead: true }),
    );
    return Item ? { subscription: subscriptionOf(Item), secret: String(Item.secret ?? '') } : undefined;
  }

  private async items(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEXES.all.name,
          KeyConditionExpression: '#pk = :partition',
          ExpressionAttributeNames: { '#pk': INDEXES.all.partitionKey },
          ExpressionAttributeValues: { ':partition': SUBSCRIPTIONS_PARTITION },
          ScanIndexForward: false,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return items;
  }

  async list(): Promise<Subscription[]> {
    return (await this.items()).map(subscriptionOf);
  }

  async listStored(): Promise<StoredSubscription[]> {
    // The index projects every attribute; the secret comes with the item.
    return (await this.items()).map((item) => ({
      subscription: subscriptionOf(item),
      secret: String(item.secret ?? ''),
    }));
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: subscriptionKey(id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordAttempt(attempt: DeliveryAttempt): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...attempt,
          pk: `SUB#${attempt.subscriptionId}`,
          sk: `${ATTEMPT_PREFIX}${attempt.at}#${attempt.eventId}#${attempt.attempt}`,
          entity: 'delivery-attempt',
        },
      }),
    );
  }

  async attempts(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliveryAttempt[]; cursor?: string }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `SUB#${subscriptionId}`, ':prefix': ATTEMPT_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor !== undefined && { ExclusiveStartKey: decodeCursor(cursor, subscriptionId) }),
      }),
    );
    return {
      items: (result.Items ?? []).map(attemptOf),
      ...(result.LastEvaluatedKey && { cursor: encodeCursor(result.LastEvaluatedKey) }),
    };
  }
}
