import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { NotificationQueue, NotifierMessage } from '../../ports';

export interface SqsNotificationQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/** Hands notifications, case events and deliveries to the notifier, ten per request; a partly failed batch throws (the caller retries). */
export class SqsNotificationQueue implements NotificationQueue {
  constructor(private readonly options: SqsNotificationQueueOptions) {}

  async publish(messages: NotifierMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await this.options.client.send(
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
