import { DynamoCameraStore } from '../adapters/aws/dynamodb-camera-store';
import { DynamoCaseStore } from '../adapters/aws/dynamodb-case-store';
import { DynamoDedupClaims } from '../adapters/aws/dynamodb-dedup-claims';
import { DynamoEvaluationAggregates } from '../adapters/aws/dynamodb-evaluation-aggregates';
import { DynamoIntegrationKeyStore } from '../adapters/aws/dynamodb-integration-key-store';
import { DynamoRateLimiter } from '../adapters/aws/dynamodb-rate-limiter';
import { DynamoTriageFeedbackStore } from '../adapters/aws/dynamodb-triage-feedback-store';
import { SqsReportQueue } from '../adapters/aws/sqs-report-queue';
import { type DistrictIndex, indexDistrict } from '../domain/district-index';
import type {
  CameraStore,
  DedupClaims,
  IntegrationKeyStore,
  RateLimiter,
  ReportQueue,
  TriageFeedbackStore,
} from '../ports';
import { dynamoDocumentClient, sqs } from './clients';
import { districtFrom, requireEnv } from './config';
import { ENV } from './env';

/**
 * The composition root: each handler's `buildDeps` picks the pieces it needs from here, at cold
 * start, so a missing variable fails the function before it serves anything.
 */
export const districtIndexFromEnv = (): DistrictIndex => indexDistrict(districtFrom());

export const evaluationAggregatesFromEnv = (): DynamoEvaluationAggregates =>
  new DynamoEvaluationAggregates({
    client: dynamoDocumentClient(),
    tableName: requireEnv(ENV.tableName),
    district: districtFrom(),
  });

/**
 * The case store. Its writers don't keep the evaluation aggregates: the aggregate-cases function
 * does, from the table's change stream.
 */
export const caseStoreFromEnv = (): DynamoCaseStore =>
  new DynamoCaseStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const reportQueueFromEnv = (): ReportQueue =>
  new SqsReportQueue({ client: sqs, queueUrl: requireEnv(ENV.intakeQueueUrl) });

export const integrationKeyStoreFromEnv = (): IntegrationKeyStore =>
  new DynamoIntegrationKeyStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const rateLimiterFromEnv = (): RateLimiter =>
  new DynamoRateLimiter({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const dedupClaimsFromEnv = (): DedupClaims =>
  new DynamoDedupClaims({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const cameraStoreFromEnv = (): CameraStore =>
  new DynamoCameraStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const triageFeedbackStoreFromEnv = (): TriageFeedbackStore =>
  new DynamoTriageFeedbackStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
