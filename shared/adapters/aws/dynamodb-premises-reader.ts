import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Case, CaseStatus } from '../../domain/case';
import type { JointVisit } from '../../domain/joint-visit';
import type { PremisesEntry, PremisesPage, PremisesReader } from '../../ports';
import { fromItem } from './case-item';
import { queryIndexPage } from './index-cursor';
import { fromVisitItem, VISIT_ENTITY } from './joint-visit-item';
import { INDEXES } from './table-design';

export interface DynamoPremisesReaderOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const entryOf = (item: Record<string, unknown>): PremisesEntry | undefined => {
  if (item.entity === VISIT_ENTITY) return { kind: 'visit', visit: fromVisitItem(item) };
  if (item.entity === 'case') return { kind: 'case', case: fromItem(item).case };
  return undefined;
};

/** Reads one premises' partition of the `byPremises` index (一户一档): never a scan. */
export class DynamoPremisesReader implements PremisesReader {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoPremisesReaderOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async forPlanning(
    premisesId: string,
    caseStatuses: readonly CaseStatus[],
  ): Promise<{ cases: Case[]; visits: JointVisit[] }> {
    const index = INDEXES.byPremises;
    const values: Record<string, unknown> = { ':pk': `PREMISES#${premisesId}`, ':visit': VISIT_ENTITY };
    caseStatuses.forEach((status, i) => {
      values[`:s${i}`] = status;
    });
    const statusList = caseStatuses.map((_, i) => `:s${i}`).join(', ');
    const cases: Case[] = [];
    const visits: JointVisit[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression:
          statusList === '' ? '#entity = :visit' : `#entity = :visit OR #status IN (${statusList})`,
        ExpressionAttributeNames: {
          '#pk': index.partitionKey,
          '#entity': 'entity',
          ...(statusList !== '' && { '#status': 'status' }),
        },
        ExpressionAttributeValues: values,
        ...(startKey && { ExclusiveStartKey: startKey }),
      };
      const result = await this.client.send(new QueryCommand(input));
      for (const item of result.Items ?? []) {
        const entry = entryOf(item);
        if (entry?.kind === 'case') cases.push(entry.case);
        if (entry?.kind === 'visit') visits.push(entry.visit);
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return { cases, visits };
  }

  async history(premisesId: string, limit: number, cursor?: string): Promise<PremisesPage> {
    const page = await queryIndexPage(this.client, {
      tableName: this.tableName,
      index: INDEXES.byPremises,
      partition: `PREMISES#${premisesId}`,
      limit,
      ...(cursor && { cursor }),
    });
    return {
      items: page.items.flatMap((item) => entryOf(item) ?? []),
      ...(page.cursor && { cursor: page.cursor }),
    };
  }
}
