import { ReceiveMessageCommand, type SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntakeQueues } from '../../infra/local/sqs';
import { SqsNotificationQueue } from '../../shared/adapters/aws/sqs-notification-queue';
import type { NotificationMessage } from '../../shared/domain/notifications';
import { type Emulators, startEmulators } from '../support/emulators';

/**
 * The notification queue gathers the messages of calls made within a few milliseconds into shared
 * requests (the router publishes once per registration, a batch's at about the same time). Each
 * call still learns whether its own messages were queued.
 */
let emulators: Emulators;
let queueUrl: string;

beforeAll(async () => {
  emulators = await startEmulators();
  ({ intakeQueueUrl: queueUrl } = await createIntakeQueues(emulators.sqs, emulators.queues.endpoint, {
    intake: 'xietong-test-notifications',
    deadLetter: 'xietong-test-notifications-dlq',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 5,
    fifo: false,
  }));
});

afterAll(async () => {
  await emulators.stop();
});

let serial = 0;
const message = (): NotificationMessage => {
  serial++;
  return {
    key: `C-test:${serial}:department:police`,
    kind: 'assignment',
    caseId: 'C-test',
    recipient: { type: 'department', department: 'police' },
    at: '2026-12-07T08:00:00.000Z',
    text: `第 ${serial} 条`,
    details: {},
  };
};

/** The emulator's client, counting the entries of each request it sends. */
const countingClient = (answer?: (command: SendMessageBatchCommand) => unknown) => {
  const requests: number[] = [];
  const client = {
    send: (command: SendMessageBatchCommand) => {
      requests.push(command.input.Entries?.length ?? 0);
      return answer ? Promise.resolve(answer(command)) : emulators.sqs.send(command);
    },
  } as unknown as SQSClient;
  return { client, requests };
};

const drain = async () => {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => (JSON.parse(m.Body ?? '{}') as NotificationMessage).key));
  }
};

describe('the notification queue', () => {
  it('sends the messages of calls made within its gathering span in one request', async () => {
    const { client, requests } = countingClient();
    const queue = new SqsNotificationQueue({ client, queueUrl, gatherMs: 20 });
    const batches = [[message()], [message(), message()], [message()]];
    const first = batches.map((messages) => queue.publish(messages));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = message();
    await Promise.all([...first, queue.publish([late])]);
    expect(requests).toEqual([5]);
    expect((await drain()).sort()).toEqual([...batches.flat(), late].map((m) => m.key).sort());
  });

  it('sends at once when ten messages wait, and what follows in a request of its own', async () => {
    const { client, requests } = countingClient();
    const queue = new SqsNotificationQueue({ client, queueUrl, gatherMs: 20 });
    await Promise.all(Array.from({ length: 12 }, () => queue.publish([message()])));
    expect(requests).toEqual([10, 2]);
    expect(await drain()).toHaveLength(12);
  });

  it('with a span of 0, gathers the calls made in the same turn only', async () => {
    const { client, requests } = countingClient();
    const queue = new SqsNotificationQueue({ client, queueUrl, gatherMs: 0 });
    const together = [queue.publish([message()]), queue.publish([message()]), queue.publish([message()])];
    await Promise.all(together);
    await queue.publish([message()]);
    expect(requests).toEqual([3, 1]);
    expect(await drain()).toHaveLength(4);
  });

  it('sends each call at once without a gathering span', async () => {
    const { client, requests } = countingClient();
    const queue = new SqsNotificationQueue({ client, queueUrl });
    await Promise.all([queue.publish([message()]), queue.publish([message(), message()])]);
    expect(requests).toEqual([1, 2]);
    expect(await drain()).toHaveLength(3);
  });

  it('fails only the call whose message SQS did not take', async () => {
    // A partly failed batch is SQS's to produce, not the emulator's: answered by hand.
    const { client } = countingClient(() => ({
      Successful: [{ Id: '0' }, { Id: '2' }],
      Failed: [{ Id: '1', Code: 'InternalError', Message: 'try again', SenderFault: false }],
    }));
    const queue = new SqsNotificationQueue({ client, queueUrl, gatherMs: 20 });
    const outcomes = await Promise.allSettled([
      queue.publish([message()]),
      queue.publish([message()]),
      queue.publish([message()]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('try again');
  });
});
