import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../../domain/errors';
import type { JointVisit, JointVisitStatus } from '../../domain/joint-visit';
import type { CreateVisitResult, JointVisitPage, JointVisitStore } from '../../ports';
import { queryIndexPage } from './index-cursor';
import { fromVisitItem, toVisitItem, visitKey, visitQueue } from './joint-visit-item';
import { INDEXES } from './table-design';

export interface DynamoJointVisitStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class DynamoJointVisitStore implements JointVisitStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoJointVisitStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async create(visit: JointVisit): Promise<CreateVisitResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toVisitItem(visit),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(visit.id);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async get(id: string): Promise<JointVisit | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: visitKey(id), ConsistentRead: true }),
    );
    return Item ? fromVisitItem(Item) : undefined;
  }

  async save(next: JointVisit, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toVisitItem(next),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new VersionConflictError(next.id, expectedVersion);
      throw error;
    }
  }

  async listByStatus(status: JointVisitStatus, limit: number, cursor?: string): Promise<JointVisitPage> {
    const page = await queryIndexPage(this.client, {
      tableName: this.tableName,
      index: INDEXES.byQueue,
      partition: visitQueue(status),
      limit,
      ...(cursor && { cursor }),
    });
    return { items: page.items.map(fromVisitItem), ...(page.cursor && { cursor: page.cursor }) };
  }

  async countByStatus(status: JointVisitStatus): Promise<{ visits: number; casesCovered: number }> {
    const index = INDEXES.byQueue;
    let visits = 0;
    let casesCovered = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          // Only the covered ids travel: the figures need no timelines.
          ProjectionExpression: 'caseIds',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': visitQueue(status) },
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of result.Items ?? []) {
        visits += 1;
        casesCovered += Array.isArray(item.caseIds) ? item.caseIds.length : 0;
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return { visits, casesCovered };
  }
}
