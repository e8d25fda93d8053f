import type { SQSClient } from '@aws-sdk/client-sqs';
import type { NotificationQueue, NotifierMessage } from '../../ports';
import { type ClientSource, clientOf } from './client-source';

export interface SqsNotificationQueueOptions {
  client: ClientSource<SQSClient>;
  queueUrl: string;
  /**
   * Gathers the messages of `publish` calls made within this many milliseconds of the first into
   * shared requests (ten messages each); 0 gathers the calls made in the same turn of the event loop
   * (the router starts a batch's effects together). Absent: each call sends at once.
   */
  gatherMs?: number;
}

/** SendMessageBatch takes ten entries. */
const ENTRIES_PER_REQUEST = 10;

interface Waiting {
  message: NotifierMessage;
  /** The `publish` call it came with: settled once all of that call's messages are. */
  call: PublishCall;
}

interface PublishCall {
  unsent: number;
  resolve(): void;
  reject(error: Error): void;
  failed: boolean;
}

/**
 * Hands notifications, case events and deliveries to the notifier, ten per request. A call resolves
 * once all its messages are queued and rejects if any is not (the caller retries; messages carry an
 * idempotency key, so the notifier drops what it already has).
 */
export class SqsNotificationQueue implements NotificationQueue {
  private waiting: Waiting[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SqsNotificationQueueOptions) {}

  publish(messages: NotifierMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const call: PublishCall = { unsent: messages.length, resolve, reject, failed: false };
      for (const message of messages) this.waiting.push({ message, call });
      const { gatherMs } = this.options;
      if (gatherMs === undefined || this.waiting.length >= ENTRIES_PER_REQUEST) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), gatherMs);
    });
  }

  /** Sends what waits, in requests of ten; each request settles the messages it carried. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (let i = 0; i < waiting.length; i += ENTRIES_PER_REQUEST) {
      const chunk = waiting.slice(i, i + ENTRIES_PER_REQUEST);
      this.send(chunk).then(
        (failed) => {
          for (const [index, { call }] of chunk.entries()) {
            const reason = failed.get(String(index));
            settle(
              call,
              reason === undefined ? undefined : new Error(`a notification was not queued: ${reason}`),
            );
          }
        },
        (error: Error) => {
          for (const { call } of chunk) settle(call, error);
        },
      );
    }
  }

  /** One request; the entries SQS did not take, by id, with its reason. */
  private async send(chunk: Waiting[]): Promise<Map<string, string>> {
    const { SendMessageBatchCommand } = await import('./sqs-sdk');
    const client = await clientOf(this.options.client);
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: chunk.map(({ message }, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(message),
          MessageAttributes: { idempotencyKey: { DataType: 'String', StringValue: message.key } },
        })),
      }),
    );
    return new Map((result.Failed ?? []).map((f) => [f.Id ?? '', f.Message ?? f.Code ?? 'failed']));
  }
}

/** One message of the call is settled: the call fails with its first failure, or resolves with its last message. */
const settle = (call: PublishCall, error: Error | undefined) => {
  if (call.failed) return;
  if (error) {
    call.failed = true;
    call.reject(error);
    return;
  }
  call.unsent--;
  if (call.unsent === 0) call.resolve();
};
