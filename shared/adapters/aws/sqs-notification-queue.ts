import type { SQSClient } from '@aws-sdk/client-sqs';
import type { NotificationQueue, NotifierMessage } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

export interface SqsNotificationQueueOptions {
  client: ClientSource<SQSClient>;
  queueUrl: string;
}

/** Hands notifications, case events and deliveries to the notifier, ten per request; a partly failed batch throws (the caller retries). */
export class SqsNotificationQueue implements NotificationQueue {
  constructor(private readonly options: SqsNotificationQueueOptions) {}

  async publish(messages: NotifierMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { SendMessageBatchCommand } = await import('./sqs-sdk');
    const client = await clientOf(this.options.client);
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
            MessageAttributes: { idempotencyKey: { DataType: 'String', StringValue: message.key } },
          })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        throw new Error(
          `${result.Failed.length} notification(s) not queued: ${result.Failed[0]?.Message ?? ''}`,
        );
      }
    }
  }
}
