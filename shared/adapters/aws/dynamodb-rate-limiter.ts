import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateWindow } from '../../domain/rate-window';
import type { RateLimiter } from '../../ports';
import { rateWindowKey } from './integration-key-item';
import { TTL_ATTRIBUTE } from './table-design';

export interface DynamoRateLimiterOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * A fixed-window counter per bucket and minute: one conditional ADD, so concurrent requests can
 * never push the count past the limit and a refused request counts nothing.
 */
export class DynamoRateLimiter implements RateLimiter {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoRateLimiterOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async tryAcquire(bucket: string, limit: number, window: RateWindow): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rateWindowKey(bucket, window.minute),
          UpdateExpression: 'ADD #count :one SET #expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#expiresAt': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': window.endsAtEpochSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
