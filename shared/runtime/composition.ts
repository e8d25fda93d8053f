import { DynamoCaseStore } from '../adapters/aws/dynamodb-case-store';
import { SqsReportQueue } from '../adapters/aws/sqs-report-queue';
import { type DistrictIndex, indexDistrict } from '../domain/district-index';
import type { CaseStore, ReportQueue } from '../ports';
import { dynamoDocumentClient, sqs } from './clients';
import { districtFrom, requireEnv } from './config';
import { ENV } from './env';

/**
 * The composition root: each handler's `buildDeps` picks the pieces it needs from here, at cold
 * start, so a missing variable fails the function before it serves anything.
 */
export const districtIndexFromEnv = (): DistrictIndex => indexDistrict(districtFrom());

export const caseStoreFromEnv = (): CaseStore =>
  new DynamoCaseStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const reportQueueFromEnv = (): ReportQueue =>
  new SqsReportQueue({ client: sqs(), queueUrl: requireEnv(ENV.intakeQueueUrl) });
