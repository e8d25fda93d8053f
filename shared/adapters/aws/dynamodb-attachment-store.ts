import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Attachment, AttachmentStatus } from '../../domain/evidence';
import type { AttachmentStore, CreateAttachmentResult } from '../../ports';
import { caseKey } from './case-item';

/**
 * Attachments live in their case's partition (`CASE#<id>`, sort key `ATTACHMENT#<id>`): listing a
 * case's evidence is one Query, and no index sees them (they carry no index attributes).
 */
const SORT_PREFIX = 'ATTACHMENT#';
export const attachmentKey = (caseId: string, attachmentId: string) => ({
  pk: caseKey(caseId).pk,
  sk: `${SORT_PREFIX}${attachmentId}`,
});

const toItem = (a: Attachment) => ({ ...a, ...attachmentKey(a.caseId, a.id), entity: 'attachment' });
const fromItem = (item: Record<string, unknown>): Attachment => {
  const { pk: _pk, sk: _sk, entity: _entity, ...attachment } = item;
  return attachment as unknown as Attachment;
};

export class DynamoAttachmentStore implements AttachmentStore {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  async create(attachment: Attachment): Promise<CreateAttachmentResult> {
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: toItem(attachment),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(attachment.caseId, attachment.id);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async get(caseId: string, attachmentId: string): Promise<Attachment | undefined> {
    const { Item } = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: attachmentKey(caseId, attachmentId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async list(caseId: string): Promise<Attachment[]> {
    const items: Attachment[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': caseKey(caseId).pk, ':prefix': SORT_PREFIX },
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      items.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
  }

  async replace(next: Attachment, expectedStatus: AttachmentStatus): Promise<boolean> {
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: toItem(next),
          ConditionExpression: 'attribute_exists(pk) AND #status = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':expected': expectedStatus },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
