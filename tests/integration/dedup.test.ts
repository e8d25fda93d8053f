import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSqsRecord } from '../../infra/local/poller';
import { verifyTimeline } from '../../shared/domain/timeline';
import { lambdaContext } from '../support/api-event';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

/** Metres → degrees around Sandun (30.3°N). */
const north = (metres: number) => metres / 111_195;
const east = (metres: number) => metres / (111_195 * Math.cos((30.3 * Math.PI) / 180));

const nextPoint = distinctPointsIn(sandun.zone('old-street')!);
/** Each test works at its own spot, far enough from the others' to be another event. */
const spot = () => {
  nextPoint();
  nextPoint();
  return nextPoint();
};

const report = (point: { lat: number; lng: number }, overrides: Record<string, unknown> = {}) => ({
  source: 'hotline',
  category: 'event.household-workshop',
  description: '邻居反映楼下有人开家庭作坊生产，噪音和异味很大',
  location: { ...point, crs: 'wgs84' },
  ...overrides,
});

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

describe('duplicate reports of one event', () => {
  it('merges the patrol report and the camera alert into the neighbour’s case: one case, three reports', async () => {
    const home = spot();
    api.clock.set('2026-11-30T01:10:00.000Z'); // 09:10 in Hangzhou
    const neighbour = await api.report(report(home, { reporter: { name: '李阿姨', phone: '13900001111' } }));
    await api.drainQueue();

    api.clock.set('2026-11-30T01:40:00.000Z');
    const patrol = await api.report(
      report(
        { lat: home.lat + north(30), lng: home.lng + east(25) },
        { source: 'patrol', description: '巡查发现民房内疑似无证加工点，堆放大量原料' },
      ),
      claimsFor.fieldWorker('joint-team'),
    );
    await api.drainQueue();

    api.clock.set('2026-11-30T02:05:00.000Z');
    const camera = await api.report(
      report(
        { lat: home.lat - north(15), lng: home.lng },
        { source: 'camera', description: '视频告警：疑似违规生产' },
      ),
    );
    await api.drainQueue();

    const merged = (await api.get(neighbour.body.id)).body;
    expect(merged.status).toBe('registered');
    expect(merged.linkedReports.map((l: { caseId: string }) => l.caseId)).toEqual([
      patrol.body.id,
      camera.body.id,
    ]);
    expect(merged.linkedReports[0]).toMatchObject({
      source: 'patrol',
      mode: 'auto',
      score: expect.any(Number),
    });
    expect(merged.linkedReports[0].score).toBeGreaterThanOrEqual(sandun.config.dedup.autoMergeScore);
    expect(merged.timeline.filter((e: { action: string }) => e.action === 'report-linked')).toHaveLength(2);
    expect(verifyTimeline(merged.timeline).intact).toBe(true);

    // Each report's own id still resolves, to a pointer at the case of the event.
    for (const id of [patrol.body.id, camera.body.id]) {
      const pointer = (await api.get(id)).body;
      expect(pointer).toMatchObject({ status: 'merged', mergedInto: neighbour.body.id });
      expect(pointer.timeline.at(-1)).toMatchObject({
        action: 'merged',
        details: { into: neighbour.body.id, mode: 'auto' },
      });
    }
    // Merged reports leave the queues: the lists show the one case.
    const list = await api.list({ zone: 'old-street', status: 'registered' });
    const ids = list.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(neighbour.body.id);
    expect(ids).not.toContain(patrol.body.id);
  });

  it('flags a near miss for review instead of merging, and lets a person dismiss it', async () => {
    const here = spot();
    const first = await api.report(report(here));
    await api.drainQueue();
    const second = await api.report(
      report({ lat: here.lat + north(75), lng: here.lng }, { description: '疑似加工作坊' }),
    );
    await api.drainQueue();

    const flagged = (await api.get(second.body.id)).body;
    expect(flagged.status).toBe('registered');
    expect(flagged.possibleDuplicates).toEqual([{ caseId: first.body.id, score: expect.any(Number) }]);
    const queue = await api.list({ possibleDuplicate: 'true' });
    expect(queue.body.items.map((c: { id: string }) => c.id)).toContain(second.body.id);

    const dismissed = await api.command(
      second.body.id,
      'dismiss-duplicate',
      { reason: '不同门牌' },
      claimsFor.commandCentre(),
    );
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.possibleDuplicates).toBeUndefined();
    const after = await api.list({ possibleDuplicate: 'true' });
    expect(after.body.items.map((c: { id: string }) => c.id)).not.toContain(second.body.id);
  });

  it('keeps reports further apart than the radius as separate cases', async () => {
    const here = spot();
    const a = await api.report(report(here));
    const b = await api.report(report({ lat: here.lat + north(150), lng: here.lng }));
    await api.drainQueue();
    expect((await api.get(a.body.id)).body.status).toBe('registered');
    expect((await api.get(b.body.id)).body).toMatchObject({ status: 'registered', linkedReports: [] });
    expect((await api.get(b.body.id)).body.possibleDuplicates).toBeUndefined();
  });
});

describe('two routers, one event', () => {
  /** Takes the intake queue's messages without routing them, so two routers can race on them. */
  const takeMessages = async () => {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: emulators.queues.intakeQueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages.map((m) => toSqsRecord(m, emulators.queues.intakeQueueArn));
  };

  it('always ends as one case when two reports of the same event are routed at the same instant', async () => {
    for (let round = 0; round < 12; round++) {
      const here = spot();
      const a = await api.report(report(here, { description: `同一事件 第${round}轮 甲` }));
      const b = await api.report(report(here, { description: `同一事件 第${round}轮 乙` }));
      const records = await takeMessages();
      expect(records).toHaveLength(2);
      const events: SQSEvent[] = records.map((record) => ({ Records: [record] }));
      const responses = (await Promise.all(
        events.map((event) => api.router(event, lambdaContext())),
      )) as SQSBatchResponse[];
      expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);

      const cases = [(await api.get(a.body.id)).body, (await api.get(b.body.id)).body];
      const live = cases.filter((c) => c.status !== 'merged');
      const merged = cases.filter((c) => c.status === 'merged');
      expect(live, `round ${round}`).toHaveLength(1);
      expect(merged[0].mergedInto).toBe(live[0].id);
      expect(live[0].linkedReports.map((l: { caseId: string }) => l.caseId)).toEqual([merged[0].id]);
      // The queue's copies are consumed by hand here; nothing is left to redeliver.
      for (const record of records) {
        await emulators.sqs.send(
          new (await import('@aws-sdk/client-sqs')).DeleteMessageCommand({
            QueueUrl: emulators.queues.intakeQueueUrl,
            ReceiptHandle: record.receiptHandle,
          }),
        );
      }
    }
  });
});

describe('manual merge and unmerge', () => {
  const twoCases = async () => {
    const a = await api.report(
      report(spot(), { category: 'event.illegal-parking', description: '门口违停' }),
    );
    const b = await api.report(
      report(spot(), { category: 'event.illegal-parking', description: '路口违停' }),
    );
    await api.drainQueue();
    return [(await api.get(a.body.id)).body, (await api.get(b.body.id)).body];
  };

  it('merges with every report kept, the more urgent priority and the earlier deadline, and undoes it', async () => {
    const [a, b] = await twoCases();
    const centre = claimsFor.commandCentre();
    await api.command(a.id, 'dispatch', {}, centre);
    api.clock.advanceMinutes(5);
    await api.command(b.id, 'dispatch', {}, centre);
    const beforeB = (await api.get(b.id)).body;
    const beforeA = (await api.get(a.id)).body;

    const merged = await api.command(a.id, 'merge', { into: b.id, reason: '同一辆车' }, centre);
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ status: 'merged', mergedInto: b.id });
    const target = (await api.get(b.id)).body;
    expect(target.linkedReports).toEqual([expect.objectContaining({ caseId: a.id, mode: 'manual' })]);
    // A was dispatched first: its earlier acceptance deadline now binds the merged case.
    expect(beforeA.deadlines.acceptBy < beforeB.deadlines.acceptBy).toBe(true);
    expect(target.deadlines.acceptBy).toBe(beforeA.deadlines.acceptBy);

    const undone = await api.command(a.id, 'unmerge', { reason: '其实是两辆车' }, centre);
    expect(undone.body).toMatchObject({ status: 'dispatched' });
    expect(undone.body.mergedInto).toBeUndefined();
    const restored = (await api.get(b.id)).body;
    expect(restored.linkedReports).toEqual([]);
    expect(restored.timeline.map((e: { action: string }) => e.action)).toContain('report-unlinked');
    expect(verifyTimeline(restored.timeline).intact).toBe(true);
  });

  it('refuses merging into itself, into a merged or closed case, and a cycle, with a clear 4xx', async () => {
    const [a, b] = await twoCases();
    const [c] = await twoCases();
    const centre = claimsFor.commandCentre();
    const self = await api.command(a.id, 'merge', { into: a.id }, centre);
    expect(self.status).toBe(422);
    expect(self.body.errors[0]).toMatchObject({ field: 'into', rule: 'same_case' });

    await api.command(a.id, 'merge', { into: b.id }, centre);
    const intoMerged = await api.command(c.id, 'merge', { into: a.id }, centre);
    expect(intoMerged.status).toBe(422);
    expect(intoMerged.body.errors[0]).toMatchObject({ field: 'into', rule: 'target_not_open' });
    const cycle = await api.command(b.id, 'merge', { into: a.id }, centre);
    expect(cycle.status).toBe(422);

    const closed = await api.command(c.id, 'cancel', { reason: '误报' }, centre);
    expect(closed.status).toBe(200);
    const intoCancelled = await api.command(b.id, 'merge', { into: c.id }, centre);
    expect(intoCancelled.status).toBe(422);
    const unknown = await api.command(b.id, 'merge', { into: 'C0000000000000000000000000' }, centre);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'into', rule: 'case_not_found' });
    const notMerged = await api.command(b.id, 'unmerge', { reason: 'x' }, centre);
    expect(notMerged.status).toBe(409);
    // A field worker can't merge.
    expect(
      (await api.command(b.id, 'merge', { into: c.id }, claimsFor.fieldWorker('traffic-police'))).status,
    ).toBe(403);
  });
});
