import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeLog } from '../../infra/local/log';
import { type QueuePoller, startQueuePoller } from '../../infra/local/poller';
import { createIntakeQueues, type LocalQueues } from '../../infra/local/sqs';
import { redriveDeadLetters } from '../../shared/adapters/aws/sqs-redrive';
import { routingAreaOf } from '../../shared/domain/routing-area';
import type { FunctionSpec } from '../../shared/runtime/functions';
import { casesHarness, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

/**
 * The intake queue under poison: the real router behind the local event source mapping (fauxqs,
 * partial batch responses, the DLQ after maxReceiveCount). A message that can never be read and one
 * that hits a bug end in the DLQ while the rest of their batch is routed; after the fix the redrive
 * moves them back, and running it again (or a crash that sent one twice) duplicates nothing.
 */

const MAX_RECEIVES = 2;
const spec: FunctionSpec = {
  name: 'route-reports',
  entry: 'functions/route-reports/handler.ts',
  description: 'the router under test',
  routes: [],
  triggers: [{ kind: 'queue', queue: 'intake', batchSize: 10 }],
  access: { table: 'readWrite', intakeQueue: 'none' },
  timeoutSeconds: 10,
};

let emulators: Emulators;
let queues: LocalQueues;
let api: ReturnType<typeof casesHarness>;
let poller: QueuePoller;
/** The bug: the router fails every report with this description (until "fixed"). */
let buggy = true;
const BUG_TRIGGER = '触发缺陷的报告';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (what: string, condition: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
};

const depth = async (queueUrl: string) => {
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

const nextPoint = distinctPointsIn(sandun.zone('zijingang')!);
const report = (description: string) =>
  api.report({
    source: 'hotline',
    category: 'event.household-workshop',
    description,
    location: { ...nextPoint(), crs: 'wgs84' },
  });

const statusOf = async (id: string) => (await api.store.get(id))?.case.status;

beforeAll(async () => {
  emulators = await startEmulators();
  queues = await createIntakeQueues(emulators.sqs, emulators.queues.endpoint, {
    intake: 'xietong-test-poison',
    deadLetter: 'xietong-test-poison-dlq',
    visibilityTimeoutSeconds: 1,
    maxReceiveCount: MAX_RECEIVES,
  });
  // The poison queue plays the intake queue here, for the router's role as for its event source.
  emulators.iam.name({ intakeQueueUrl: queues.intakeQueueUrl, intakeDeadLetterQueueUrl: queues.dlqUrl });
  api = casesHarness({ ...emulators, queues });
  poller = startQueuePoller({
    sqs: emulators.sqs,
    queueUrl: queues.intakeQueueUrl,
    queueArn: queues.intakeQueueArn,
    log: createRuntimeLog('SILENT'),
    consumer: {
      spec,
      handler: async (event: SQSEvent, context: Context) => {
        if (!buggy) return api.router(event, context);
        // The bug fails the records it trips on, as a thrown error in routeRecord would.
        const tripped: SQSBatchResponse['batchItemFailures'] = [];
        const healthy: SQSEvent['Records'] = [];
        for (const record of event.Records) {
          const caseId = (JSON.parse(record.body) as { caseId?: string }).caseId;
          const stored = caseId ? await api.store.get(caseId) : undefined;
          if (stored?.case.description === BUG_TRIGGER) tripped.push({ itemIdentifier: record.messageId });
          else healthy.push(record);
        }
        const rest = (await api.router({ Records: healthy }, context)) as SQSBatchResponse;
        return { batchItemFailures: [...tripped, ...rest.batchItemFailures] };
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await poller?.stop();
  await emulators.stop();
});

describe('poison messages on the intake queue', () => {
  it('end in the DLQ without holding back their batch; the redrive brings them back once, idempotently', async () => {
    const good = await Promise.all([report('小区一楼家庭作坊 1'), report('小区一楼家庭作坊 2')]);
    const bad = await report(BUG_TRIGGER);
    for (const r of [...good, bad]) expect(r.status).toBe(202);
    await emulators.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.intakeQueueUrl,
        MessageBody: '{"caseId":',
        MessageGroupId: 'poison-1',
        MessageDeduplicationId: 'poison-1',
      }),
    );
    await emulators.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.intakeQueueUrl,
        MessageBody: JSON.stringify({ caseId: 42 }),
        MessageGroupId: 'poison-2',
        MessageDeduplicationId: 'poison-2',
      }),
    );

    // The good reports are routed at once, long before the poison has used up its receives.
    await until('good reports routed', async () =>
      (await Promise.all(good.map((r) => statusOf(r.body.id)))).every((s) => s === 'registered'),
    );
    // The bug's report and both unreadable messages land in the DLQ; the intake queue empties.
    await until('poison in the DLQ', async () => (await depth(queues.dlqUrl)) === 3);
    await until('intake queue drained', async () => (await depth(queues.intakeQueueUrl)) === 0);
    expect(await statusOf(bad.body.id)).toBe('reported');

    // The fix ships; the redrive moves all three back. A crash after sending but before deleting
    // would leave a copy behind: simulate it by putting a copy of the report's message in the DLQ.
    buggy = false;
    await emulators.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.dlqUrl,
        MessageBody: JSON.stringify({ caseId: bad.body.id, correlationId: 'redrive-copy' }),
        MessageGroupId: routingAreaOf(bad.body.location),
        MessageDeduplicationId: 'redrive-copy',
      }),
    );
    const first = await redriveDeadLetters({
      sqs: emulators.sqs,
      deadLetterQueueUrl: queues.dlqUrl,
      sourceQueueUrl: queues.intakeQueueUrl,
    });
    expect(first).toEqual({ moved: 4, skipped: 0, failed: 0 });
    const second = await redriveDeadLetters({
      sqs: emulators.sqs,
      deadLetterQueueUrl: queues.dlqUrl,
      sourceQueueUrl: queues.intakeQueueUrl,
    });
    expect(second.moved).toBe(0);

    await until('redriven report routed', async () => (await statusOf(bad.body.id)) === 'registered');
    // The unreadable two are still unreadable: back in the DLQ, nothing else with them.
    await until('unfixable poison back in the DLQ', async () => (await depth(queues.dlqUrl)) === 2);
    await until('intake queue drained again', async () => (await depth(queues.intakeQueueUrl)) === 0);

    // Routed once: one case per report, one registration in its timeline.
    const routed = (await api.store.get(bad.body.id))!.case;
    expect(routed.timeline.filter((e) => e.action === routed.timeline[1]!.action)).toHaveLength(1);
    expect(routed.version).toBe(routed.timeline.length);
    const listed = await api.list({});
    const ids = (listed.body.items as { id: string }[]).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => [bad.body.id, ...good.map((g) => g.body.id)].includes(id))).toHaveLength(3);
  }, 90_000);
});
