import { DynamoAttachmentStore } from '../../adapters/aws/dynamodb-attachment-store';
import { S3EvidenceBucket } from '../../adapters/aws/s3-evidence-bucket';
import type { AttachmentStore, EvidenceBucket } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { s3 } from '../clients/s3';
import { s3UrlSigner } from '../clients/s3-url-signer';
import { requireEnv } from '../config';
import { ENV } from '../env';

export const attachmentStoreFromEnv = (): AttachmentStore =>
  new DynamoAttachmentStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const evidenceBucketFromEnv = (): EvidenceBucket =>
  new S3EvidenceBucket({ client: s3, signer: s3UrlSigner(), bucket: requireEnv(ENV.evidenceBucket) });
