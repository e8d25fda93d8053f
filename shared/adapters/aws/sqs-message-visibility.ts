import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MessageVisibility } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

export interface SqsMessageVisibilityOptions {
  client: ClientSource<SQSClient>;
  queueUrl: string;
}

/**
 * Backoff for a failed message: its visibility timeout becomes the wait before the next attempt
 * (the event source mapping leaves a reported failure alone, so this is when it comes back).
 */
export class SqsMessageVisibility implements MessageVisibility {
  constructor(private readonly options: SqsMessageVisibilityOptions) {}

  async delay(receiptHandle: string, seconds: number): Promise<void> {
    const { ChangeMessageVisibilityCommand } = await import('./sqs-sdk');
    await (await clientOf(this.options.client)).send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.options.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
      }),
    );
  }
}
