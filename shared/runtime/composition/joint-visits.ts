import { DynamoJointVisitStore } from '../../adapters/aws/dynamodb-joint-visit-store';
import { DynamoPremisesReader } from '../../adapters/aws/dynamodb-premises-reader';
import type { JointVisitStore, PremisesReader } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { requireEnv } from '../config';
import { ENV } from '../env';

/** The joint-visit pieces of the composition root: both read and write the one table. */
export const jointVisitStoreFromEnv = (): JointVisitStore =>
  new DynamoJointVisitStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });

export const premisesReaderFromEnv = (): PremisesReader =>
  new DynamoPremisesReader({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
