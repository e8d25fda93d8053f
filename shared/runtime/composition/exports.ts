import { DynamoExportJobStore } from '../../adapters/aws/dynamodb-export-job-store';
import { S3ExportFiles } from '../../adapters/aws/s3-export-files';
import { SqsExportJobQueue } from '../../adapters/aws/sqs-export-job-queue';
import { SqsMessageVisibility } from '../../adapters/aws/sqs-message-visibility';
import type { ExportFiles, ExportJobQueue, ExportJobStore, MessageVisibility } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { s3 } from '../clients/s3';
import { s3UrlSigner } from '../clients/s3-url-signer';
import { sqs } from '../clients/sqs';
import { requireEnv } from '../config';
import { ENV } from '../env';

/** Export jobs: their items in the table, their queue, and the exports bucket they write to. */
export const exportJobStoreFromEnv = (): ExportJobStore =>
  new DynamoExportJobStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const exportJobQueueFromEnv = (): ExportJobQueue =>
  new SqsExportJobQueue({ client: sqs, queueUrl: requireEnv(ENV.exportQueueUrl) });

/** The worker backs off a failed step by hiding its message on the export job queue. */
export const exportJobVisibilityFromEnv = (): MessageVisibility =>
  new SqsMessageVisibility({ client: sqs, queueUrl: requireEnv(ENV.exportQueueUrl) });

export const exportFilesFromEnv = (): ExportFiles =>
  new S3ExportFiles({ client: s3, signer: s3UrlSigner(), bucket: requireEnv(ENV.exportsBucket) });
