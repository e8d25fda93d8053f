import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SeenSignatures } from '../../ports';
import { TTL_ATTRIBUTE } from './table-design';

export interface DynamoSeenSignaturesOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * One item per accepted signature, written only if absent (or past its expiry: DynamoDB's TTL
 * deletes late, dynalite never), so two deliveries of one signed request can't both pass.
 */
export class DynamoSeenSignatures implements SeenSignatures {
  constructor(private readonly options: DynamoSeenSignaturesOptions) {}

  async remember(keyId: string, signature: string, now: string, expiresAt: string): Promise<boolean> {
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            pk: `SIG#${keyId}#${signature}`,
            sk: 'SIG',
            entity: 'seen-signature',
            [TTL_ATTRIBUTE]: epochSeconds(expiresAt),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :now',
          ExpressionAttributeNames: { '#expiresAt': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
