import { DynamoDedupClaims } from '../../adapters/aws/dynamodb-dedup-claims';
import { SqsReportQueue } from '../../adapters/aws/sqs-report-queue';
import type { DedupClaims, ReportQueue } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { sqs } from '../clients/sqs';
import { requireEnv } from '../config';
import { ENV } from '../env';

export const reportQueueFromEnv = (): ReportQueue =>
  new SqsReportQueue({ client: sqs, queueUrl: requireEnv(ENV.intakeQueueUrl) });

export const dedupClaimsFromEnv = (): DedupClaims =>
  new DynamoDedupClaims({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
