import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CaseChange } from '../../ports';
import { CASE_SORT_KEY, fromItem } from './case-item';

type Image = Record<string, AttributeValue>;

const caseOf = (image: Image | undefined) =>
  image ? fromItem(unmarshall(image) as Record<string, unknown>).case : undefined;

/** Whether a stream record is a change of a case item (the stream carries every item of the table). */
export const isCaseRecord = (record: DynamoDBRecord): boolean => {
  const keys = record.dynamodb?.Keys as Image | undefined;
  return keys?.sk?.S === CASE_SORT_KEY && (keys.pk?.S ?? '').startsWith('CASE#');
};

/** The case changes in a batch of the table's stream records (NEW_AND_OLD_IMAGES), in stream order. */
export const caseChangesOf = (records: DynamoDBRecord[]): CaseChange[] =>
  records.filter(isCaseRecord).map((record) => {
    const before = caseOf(record.dynamodb?.OldImage as Image | undefined);
    const after = caseOf(record.dynamodb?.NewImage as Image | undefined);
    const recordedAt = record.dynamodb?.ApproximateCreationDateTime;
    return {
      ...(before && { before }),
      ...(after && { after }),
      ...(recordedAt !== undefined && { recordedAt }),
    };
  });
