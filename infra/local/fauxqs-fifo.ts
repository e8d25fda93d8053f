/**
 * Two places where fauxqs 1.9's FIFO queues differ from SQS, replaced here with SQS's behaviour.
 *
 * **Receives.** fauxqs hands out at most **one** message per FIFO message group per receive, and then locks the
 * group until that message is deleted. SQS hands out up to ten messages of one group in a receive (in
 * order), and then locks the group while any of them is in flight. The difference matters here: the
 * router routes one area's reports as a batch, and with one message per receive a busy neighbourhood
 * would be routed one report per round trip. This replaces fauxqs's FIFO dequeue with SQS's rule,
 * keeping everything else of fauxqs (visibility timeouts, the DLQ after maxReceiveCount, redelivery
 * to the front of the group, deduplication). fauxqs is pinned exactly in package.json, and
 * `tests/integration/queues.test.ts` checks the behaviour, so an upgrade that changes the internals
 * read here shows up at once.
 *
 * **Long polls.** fauxqs wakes a waiting receive on every send, even into a group that is locked,
 * and the receive then answers empty at once. SQS keeps a long poll waiting until there is a message
 * it may take (or the wait ends). The difference is a local cost that grows with the consumers: while
 * a hotspot's groups are all in flight, the local event source's waiting receive made one empty
 * round trip per report sent, in the same process as the routers it competes with.
 * `tests/e2e/local-poller.test.ts` checks it.
 */

interface FifoMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  messageAttributes: Record<string, unknown>;
  messageGroupId?: string;
  approximateReceiveCount: number;
  approximateFirstReceiveTimestamp?: number;
}

interface FifoQueueInternals {
  attributes: Record<string, string>;
  isFifo(): boolean;
  hasAvailableFifoMessages(): boolean;
  notifyWaiters(): void;
  fifoMessages: Map<string, FifoMessage[]>;
  fifoLockedGroups: Map<string, number>;
  inflightMessages: Map<string, { message: FifoMessage; receiptHandle: string; visibilityDeadline: number }>;
  processTimers(): void;
  dequeueFifo(maxCount: number, visibilityTimeout: number | undefined, dlqOf?: DlqResolver): unknown[];
}

type DlqResolver = (arn: string) => { enqueue(message: FifoMessage): void } | undefined;

const redriveOf = (attributes: Record<string, string>) => {
  try {
    const policy = JSON.parse(attributes.RedrivePolicy ?? '{}') as {
      maxReceiveCount?: number;
      deadLetterTargetArn?: string;
    };
    return {
      maxReceiveCount: policy.maxReceiveCount ?? Number.POSITIVE_INFINITY,
      dlqArn: policy.deadLetterTargetArn,
    };
  } catch {
    return { maxReceiveCount: Number.POSITIVE_INFINITY, dlqArn: undefined };
  }
};

/** SQS's FIFO receive: whole runs of unlocked groups, in order, up to `maxCount`; each run locks its group. */
function dequeueLikeSqs(
  this: FifoQueueInternals,
  maxCount: number,
  visibilityOverride: number | undefined,
  dlqOf?: DlqResolver,
): unknown[] {
  this.processTimers();
  const visibilitySeconds =
    visibilityOverride ?? Number.parseInt(this.attributes.VisibilityTimeout ?? '30', 10);
  const { maxReceiveCount, dlqArn } = redriveOf(this.attributes);
  const received: unknown[] = [];
  const wanted = Math.min(maxCount, 10);
  for (const [groupId, waiting] of this.fifoMessages) {
    if (received.length >= wanted) break;
    if (this.fifoLockedGroups.has(groupId) || waiting.length === 0) continue;
    while (received.length < wanted && waiting.length > 0) {
      const message = waiting.shift() as FifoMessage;
      message.approximateReceiveCount++;
      message.approximateFirstReceiveTimestamp ??= Date.now();
      const dlq = dlqArn ? dlqOf?.(dlqArn) : undefined;
      if (dlq && message.approximateReceiveCount > maxReceiveCount) {
        dlq.enqueue(message);
        continue;
      }
      const receiptHandle = crypto.randomUUID();
      this.inflightMessages.set(receiptHandle, {
        message,
        receiptHandle,
        visibilityDeadline: Date.now() + visibilitySeconds * 1000,
      });
      this.fifoLockedGroups.set(groupId, (this.fifoLockedGroups.get(groupId) ?? 0) + 1);
      received.push({
        MessageId: message.messageId,
        ReceiptHandle: receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        ...(message.md5OfMessageAttributes && { MD5OfMessageAttributes: message.md5OfMessageAttributes }),
        ...(Object.keys(message.messageAttributes).length > 0 && {
          MessageAttributes: message.messageAttributes,
        }),
      });
    }
    if (waiting.length === 0) this.fifoMessages.delete(groupId);
  }
  return received;
}

/** Wakes the waiting receives only when one of them would get a message, as SQS's long poll does. */
const wakeOnlyForTakeableMessages = (notifyWaiters: () => void) =>
  function notifyLikeSqs(this: FifoQueueInternals): void {
    if (this.isFifo() && !this.hasAvailableFifoMessages()) return;
    notifyWaiters.call(this);
  };

let patched = false;

/** Installs SQS's FIFO receive rule into fauxqs's queue class (once per process). */
export const giveFauxqsSqsFifoReceives = async (): Promise<void> => {
  if (patched) return;
  // The package exports only its entry; its queue class lives beside it.
  const store = (await import(new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href)) as {
    SqsQueue?: { prototype: Partial<FifoQueueInternals> };
  };
  const prototype = store.SqsQueue?.prototype;
  const notifyWaiters = prototype?.notifyWaiters;
  if (
    typeof prototype?.dequeueFifo !== 'function' ||
    typeof prototype.processTimers !== 'function' ||
    typeof prototype.hasAvailableFifoMessages !== 'function' ||
    typeof prototype.isFifo !== 'function' ||
    typeof notifyWaiters !== 'function'
  ) {
    throw new Error('fauxqs changed: SqsQueue internals are gone; re-check infra/local/fauxqs-fifo.ts');
  }
  prototype.dequeueFifo = dequeueLikeSqs;
  prototype.notifyWaiters = wakeOnlyForTakeableMessages(notifyWaiters);
  patched = true;
};
