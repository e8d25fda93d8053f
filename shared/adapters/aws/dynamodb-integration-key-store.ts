import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { IntegrationKey, StoredIntegrationKey } from '../../domain/integration-key';
import type { IntegrationKeyStore } from '../../ports';
import {
  INTEGRATION_KEYS_PARTITION,
  integrationKeyKey,
  keyFromItem,
  storedKeyFromItem,
  toKeyItem,
} from './integration-key-item';
import { INDEXES } from './table-design';

export interface DynamoIntegrationKeyStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Far more keys than a district issues; the list stops there rather than paging forever. */
const MAX_LIST_PAGES = 20;

export class DynamoIntegrationKeyStore implements IntegrationKeyStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoIntegrationKeyStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(stored: StoredIntegrationKey): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: toKeyItem(stored),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<StoredIntegrationKey | undefined> {
    // Strongly consistent: a key revoked a moment ago must already fail.
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: integrationKeyKey(id), ConsistentRead: true }),
    );
    return Item ? storedKeyFromItem(Item) : undefined;
  }

  async list(): Promise<IntegrationKey[]> {
    const keys: IntegrationKey[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEXES.all.name,
          KeyConditionExpression: '#pk = :keys',
          ExpressionAttributeNames: { '#pk': INDEXES.all.partitionKey },
          ExpressionAttributeValues: { ':keys': INTEGRATION_KEYS_PARTITION },
          ScanIndexForward: false,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      keys.push(...(result.Items ?? []).map(keyFromItem));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return keys;
  }

  async revoke(id: string, revokedAt: string, revokedBy: string): Promise<IntegrationKey | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: integrationKeyKey(id),
          UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
          // The first revocation stands: who revoked it and when is not overwritten by a repeat.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': revokedAt, ':by': revokedBy },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? keyFromItem(Attributes) : undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(id))?.key;
    }
  }
}
