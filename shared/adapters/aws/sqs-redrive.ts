import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Moves the messages of a dead-letter queue back to the queue they came from, once the bug that
 * put them there is fixed. Receive → send to the source → delete from the DLQ, ten at a time: the
 * same SDK calls on AWS and on fauxqs (which has no StartMessageMoveTask), bodies and message
 * attributes kept. A message is deleted only after its copy is in the source queue, so a crash in
 * between sends it twice, never loses it; the intake queue's consumer is idempotent (a report it
 * already routed is skipped), so twice is harmless and a second redrive finds nothing to move.
 */
export interface RedriveOptions {
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  sourceQueueUrl: string;
  /** Long enough that no message comes back into view while this run is still going. */
  visibilityTimeoutSeconds?: number;
  /** Stop after this many (a cautious first run); all by default. */
  maxMessages?: number;
}

export interface RedriveResult {
  moved: number;
  /** Messages received again in this run (already moved): not sent twice. */
  skipped: number;
  failed: number;
}

/**
 * A FIFO source queue needs a group and a deduplication id: the message keeps the group it had (its
 * routing area), and the id is the dead letter's own message id, so a redrive retried by the SDK
 * sends it once.
 */
const fifoFieldsOf = (message: Message, sourceQueueUrl: string) =>
  sourceQueueUrl.endsWith('.fifo')
    ? {
        MessageGroupId: message.Attributes?.MessageGroupId ?? 'redriven',
        MessageDeduplicationId: message.MessageId ?? '',
      }
    : {};

/** Message attributes as SendMessage takes them (ReceiveMessage returns the same shape). */
const attributesOf = (message: Message) => message.MessageAttributes ?? {};

export const redriveDeadLetters = async (options: RedriveOptions): Promise<RedriveResult> => {
  const { sqs } = options;
  const seen = new Set<string>();
  const result: RedriveResult = { moved: 0, skipped: 0, failed: 0 };
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  while (result.moved < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, limit - result.moved),
        WaitTimeSeconds: 0,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 120,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (Messages.length === 0) break;
    const fresh = Messages.filter((m) => m.MessageId && m.ReceiptHandle && !seen.has(m.MessageId));
    result.skipped += Messages.length - fresh.length;
    if (fresh.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.sourceQueueUrl,
        Entries: fresh.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageAttributes: attributesOf(m),
          ...fifoFieldsOf(m, options.sourceQueueUrl),
        })),
      }),
    );
    const delivered = new Set((sent.Successful ?? []).map((s) => s.Id));
    result.failed += sent.Failed?.length ?? 0;
    const toDelete = fresh.filter((_, i) => delivered.has(String(i)));
    for (const m of toDelete) seen.add(m.MessageId!);
    if (toDelete.length > 0) {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.deadLetterQueueUrl,
          Entries: toDelete.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      result.failed += deleted.Failed?.length ?? 0;
    }
    result.moved += toDelete.length;
    if (toDelete.length === 0) break;
  }
  return result;
};
