import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCameraStore } from '../../shared/adapters/aws/dynamodb-camera-store';
import type { DistrictConfig } from '../../shared/district/schema';
import { indexDistrict } from '../../shared/domain/district-index';
import { systemClock } from '../../shared/ports';
import { importDistrictCameras } from '../../shared/usecases/cameras';

/**
 * The district file's demo cameras, registered at start-up (what an administrator does on AWS
 * with POST /v1/cameras/import). Cameras already in the table are left as edited.
 */
export const seedDistrictCameras = async (
  client: DynamoDBClient,
  tableName: string,
  district: DistrictConfig,
): Promise<{ imported: string[]; kept: string[] }> => {
  // Not destroyed here: it shares the caller's client, which the local cloud destroys itself.
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return importDistrictCameras({
    cameras: new DynamoCameraStore({ client: documents, tableName }),
    district: indexDistrict(district),
    clock: systemClock,
  });
};
