import { DynamoCameraStore } from '../../adapters/aws/dynamodb-camera-store';
import type { CameraStore } from '../../ports';
import { dynamoDocumentClient } from '../clients/dynamodb';
import { requireEnv } from '../config';
import { ENV } from '../env';

export const cameraStoreFromEnv = (): CameraStore =>
  new DynamoCameraStore({ client: dynamoDocumentClient(), tableName: requireEnv(ENV.tableName) });
