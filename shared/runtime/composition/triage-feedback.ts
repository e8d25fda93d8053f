import { DynamoTriageFeedbackStore } from '../../adapters/aws/dynamodb-triage-feedback-store';
import type { TriageFeedbackStore } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { requireEnv } from '../config';
import { ENV } from '../env';

/** Reviewers' corrections of the classifier's category, kept for the next retraining. */
export const triageFeedbackStoreFromEnv = (): TriageFeedbackStore =>
  new DynamoTriageFeedbackStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
