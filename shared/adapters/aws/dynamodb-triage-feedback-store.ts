import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TriageFeedback } from '../../domain/classifier/feedback';
import type { TriageFeedbackStore } from '../../ports';

export interface DynamoTriageFeedbackStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Triage feedback in the single table: one partition (TRIAGE_FEEDBACK) sorted by time. People
 * write it one command at a time, so one partition holds years of it; the retrain command reads
 * it whole. The key is the case and the version of the step, so recording twice writes one item.
 */
export const TRIAGE_FEEDBACK_PARTITION = 'TRIAGE_FEEDBACK';

export const triageFeedbackKey = (f: Pick<TriageFeedback, 'at' | 'caseId' | 'version'>) => ({
  pk: TRIAGE_FEEDBACK_PARTITION,
  sk: `${f.at}#${f.caseId}#${String(f.version).padStart(6, '0')}`,
});

const FIELDS = [
  'district',
  'caseId',
  'version',
  'text',
  'category',
  'verdict',
  'suggested',
  'score',
  'by',
  'at',
] as const satisfies readonly (keyof TriageFeedback)[];

const fromItem = (item: Record<string, unknown>): TriageFeedback =>
  Object.fromEntries(
    FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
  ) as unknown as TriageFeedback;

export class DynamoTriageFeedbackStore implements TriageFeedbackStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoTriageFeedbackStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async record(feedback: TriageFeedback): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...feedback, ...triageFeedbackKey(feedback), entity: 'triage-feedback' },
      }),
    );
  }

  async list(): Promise<TriageFeedback[]> {
    const found: TriageFeedback[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': TRIAGE_FEEDBACK_PARTITION },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) found.push(fromItem(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }
}
