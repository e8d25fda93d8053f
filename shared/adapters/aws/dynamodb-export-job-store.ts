import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ExportJob, ExportJobStatus } from '../../domain/export-job';
import type { CreateExportJobResult, ExportJobStore } from '../../ports';
import { exportJobKey, fromExportJobItem, toExportJobItem } from './export-job-item';

export interface DynamoExportJobStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Export jobs as single items. Every change is a conditional put on the step and status the writer
 * read: two deliveries of one step (SQS is at least once) both do the work, one of them records it.
 * dynalite has no transactions, and none is needed: a job is one item.
 */
export class DynamoExportJobStore implements ExportJobStore {
  constructor(private readonly options: DynamoExportJobStoreOptions) {}

  async create(job: ExportJob): Promise<CreateExportJobResult> {
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: toExportJobItem(job),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(job.id);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async get(id: string): Promise<ExportJob | undefined> {
    // Strongly consistent: the worker reads the step it is about to advance.
    const { Item } = await this.options.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: exportJobKey(id), ConsistentRead: true }),
    );
    return Item ? fromExportJobItem(Item) : undefined;
  }

  async save(job: ExportJob, expected: { step: number; statuses: ExportJobStatus[] }): Promise<boolean> {
    const statuses = Object.fromEntries(expected.statuses.map((status, i) => [`:status${i}`, status]));
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: toExportJobItem(job),
          ConditionExpression: `attribute_exists(pk) AND #step = :step AND #status IN (${Object.keys(statuses).join(', ')})`,
          ExpressionAttributeNames: { '#step': 'step', '#status': 'status' },
          ExpressionAttributeValues: { ':step': expected.step, ...statuses },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
