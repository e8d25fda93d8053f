/**
 * `npm run bench:cameras -- [--cameras N] [--probes N] [--alerts N]`: the cameras beside the case.
 * 1. Nearest-camera lookup (GET /v1/cases/{id}/cameras's use case: the case's GetItem, then one
 *    Query per geohash-6 cell around it) with N cameras (default 2,000) spread over the district,
 *    at the default 500 m and the maximum 2 km, against dynalite in its own process.
 * 2. An alert storm: one camera sends N signed alerts (default 300) within one minute through the
 *    real cameras function and router (in-process dynalite + fauxqs): how many reports and cases
 *    come out.
 * Prints figures, asserts nothing.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { toItem } from '../shared/adapters/aws/case-item';
import { DynamoCameraStore } from '../shared/adapters/aws/dynamodb-camera-store';
import { DynamoCaseStore } from '../shared/adapters/aws/dynamodb-case-store';
import { loadDistrict } from '../shared/district/load';
import { CAMERA_CELL_PRECISION, NEAREST_RADIUS_METRES, placeCamera } from '../shared/domain/camera';
import { indexDistrict } from '../shared/domain/district-index';
import { pointInPolygon } from '../shared/domain/geo';
import { cellsWithin } from '../shared/domain/geohash';
import { newReportedCase } from '../shared/domain/report';
import { camerasNearCase } from '../shared/usecases/cameras';
import { benchTable } from './bench-table';
import { recordFigures } from './report';

const { values } = parseArgs({
  options: { cameras: { type: 'string' }, probes: { type: 'string' }, alerts: { type: 'string' } },
  strict: true,
});
const CAMERAS = Number(values.cameras ?? 2_000);
const PROBES = Number(values.probes ?? 300);
const ALERTS = Number(values.alerts ?? 300);

const district = indexDistrict(loadDistrict('districts/sandun.json'));
const NOW = '2026-11-30T02:00:00.000Z';
const commandCentre = { subject: 'bench', role: 'command_centre' as const };

/** A random point inside some zone of the district. */
const randomPoint = () => {
  for (;;) {
    const lat = 30.27 + Math.random() * 0.06;
    const lng = 120.06 + Math.random() * 0.07;
    if (district.config.zones.some((z) => pointInPolygon({ lat, lng }, z.boundary))) return { lat, lng };
  }
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const inParallel = async (count: number, width: number, task: (i: number) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
};

const lookupBench = async () => {
  const { dataDir, dynamo, client, documents, tableName } = await benchTable('cameras');
  try {
    const cameras = new DynamoCameraStore({ client: documents, tableName });
    const store = new DynamoCaseStore({ client: documents, tableName });
    const loadStarted = performance.now();
    await inParallel(CAMERAS, 16, async (i) => {
      const camera = placeCamera(
        district,
        {
          id: `bench-cam-${i}`,
          name: `摄像头 ${i}`,
          location: randomPoint(),
          streamUrl: `https://video.example.cn/live/${i}.m3u8`,
          owner: 'urban-management',
        },
        NOW,
      );
      await cameras.create(camera);
    });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const caseIds: string[] = [];
    await inParallel(PROBES, 16, async (i) => {
      const c = newReportedCase(
        { source: 'patrol', description: '巡查上报', location: { ...randomPoint(), crs: 'wgs84' } },
        { id: `CBENCH${String(i).padStart(20, '0')}`, district, actor: commandCentre, now: NOW },
      );
      await documents.send(
        new PutCommand({ TableName: tableName, Item: toItem({ ...c, status: 'registered' }) }),
      );
      caseIds.push(c.id);
    });

    const measure = async (radius: number) => {
      const latencies: number[] = [];
      let found = 0;
      let cells = 0;
      for (const id of caseIds) {
        const started = performance.now();
        const nearby = await camerasNearCase({ cameras, store }, commandCentre, id, radius);
        latencies.push(performance.now() - started);
        found += nearby.cameras.length;
        const stored = await store.get(id);
        cells += cellsWithin(stored!.case.location, radius, CAMERA_CELL_PRECISION).length;
      }
      latencies.sort((a, b) => a - b);
      return {
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        found: found / caseIds.length,
        cells: cells / caseIds.length,
      };
    };
    await measure(NEAREST_RADIUS_METRES.default); // warm-up
    const near = await measure(NEAREST_RADIUS_METRES.default);
    const wide = await measure(NEAREST_RADIUS_METRES.max);
    return { loadSeconds, near, wide };
  } finally {
    client.destroy();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const stormBench = async () => {
  // The handlers' metrics and logs would flood the figures: off, as in the tests, before they load.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const { casesHarness } = await import('../tests/support/cases-harness');
  const { camerasHarness } = await import('../tests/support/cameras-harness');
  const { startEvidenceHarness } = await import('../tests/support/evidence-harness');
  const { startEmulators } = await import('../tests/support/emulators');
  const { keysHarness } = await import('../tests/support/keys-harness');
  const emulators = await startEmulators();
  const api = casesHarness(emulators);
  // The alerts carry no snapshot; the cameras function needs its bucket all the same.
  const evidence = await startEvidenceHarness(emulators, api);
  try {
    const cams = camerasHarness(emulators, {
      store: api.store,
      queue: api.queue,
      clock: api.clock,
      bucket: evidence.bucket,
    });
    const keys = keysHarness(emulators, api.clock);
    const cameraId = 'cam-zjg-03';
    const seed = district.config.cameras!.find((c) => c.id === cameraId)!;
    await cams.cameras.create(placeCamera(district, seed, api.clock.now()));
    const created = await keys.create({
      name: '视频分析平台',
      source: 'camera',
      actions: ['alerts'],
      rateLimitPerMinute: 6000,
    });
    if (created.status !== 201) throw new Error(`the bench key was refused: ${created.status}`);
    const signer = { keyId: created.body.id as string, secret: created.body.signingSecret as string };
    api.clock.set('2026-11-30T03:00:00.000Z');
    const step = 60_000 / ALERTS;
    const started = performance.now();
    const replies = [];
    for (let i = 0; i < ALERTS; i++) {
      replies.push(
        await cams.alert(
          { cameraId, alertType: 'fire_lane_blocked', occurredAt: api.clock.now(), alertId: `storm-${i}` },
          signer,
        ),
      );
      api.clock.set(new Date(Date.parse(api.clock.now()) + step).toISOString());
    }
    const acceptSeconds = (performance.now() - started) / 1000;
    const routeStarted = performance.now();
    await api.drainQueue();
    const routeSeconds = (performance.now() - routeStarted) / 1000;
    const reported = replies
      .filter((r) => r.status === 202 && r.body.coalesced === false)
      .map((r) => r.body.id);
    const coalesced = replies.filter((r) => r.status === 202 && r.body.coalesced === true).length;
    const finals = await Promise.all(reported.map((id: string) => api.get(id)));
    const cases = new Set(finals.map((r) => (r.body.status === 'merged' ? r.body.mergedInto : r.body.id)));
    return { reports: reported.length, coalesced, cases: cases.size, acceptSeconds, routeSeconds };
  } finally {
    await evidence.stop();
    await emulators.stop();
  }
};

const main = async () => {
  const lookup = await lookupBench();
  const storm = await stormBench();
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  process.stdout.write(
    [
      `cameras: ${CAMERAS} registered in ${lookup.loadSeconds.toFixed(1)} s; ${PROBES} cases probed`,
      `nearest within ${NEAREST_RADIUS_METRES.default} m: p50 ${ms(lookup.near.p50)}, p99 ${ms(lookup.near.p99)} (${lookup.near.cells.toFixed(1)} cell queries, ${lookup.near.found.toFixed(1)} cameras found on average)`,
      `nearest within ${NEAREST_RADIUS_METRES.max} m: p50 ${ms(lookup.wide.p50)}, p99 ${ms(lookup.wide.p99)} (${lookup.wide.cells.toFixed(1)} cell queries, ${lookup.wide.found.toFixed(1)} cameras found on average)`,
      `storm: ${ALERTS} alerts from one camera in one minute → ${storm.reports} reports, ${storm.coalesced} coalesced, ${storm.cases} case(s); accepted in ${storm.acceptSeconds.toFixed(1)} s, routed in ${storm.routeSeconds.toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  recordFigures('cameras', [
    {
      name: `nearest cameras p50 (${NEAREST_RADIUS_METRES.default} m)`,
      value: lookup.near.p50,
      unit: 'ms',
      note: `${CAMERAS} cameras, dynalite in its own process`,
    },
    {
      name: `nearest cameras p99 (${NEAREST_RADIUS_METRES.default} m)`,
      value: lookup.near.p99,
      unit: 'ms',
      note: `${lookup.near.cells.toFixed(1)} cell queries per lookup`,
    },
    {
      name: `nearest cameras p50 (${NEAREST_RADIUS_METRES.max} m)`,
      value: lookup.wide.p50,
      unit: 'ms',
      note: `${CAMERAS} cameras`,
    },
    {
      name: `nearest cameras p99 (${NEAREST_RADIUS_METRES.max} m)`,
      value: lookup.wide.p99,
      unit: 'ms',
      note: `${lookup.wide.cells.toFixed(1)} cell queries per lookup`,
    },
    {
      name: 'storm: alerts sent',
      value: ALERTS,
      unit: 'alerts',
      note: 'one camera, one alert type, one minute',
    },
    {
      name: 'storm: reports made',
      value: storm.reports,
      unit: 'reports',
      note: `${storm.coalesced} alerts coalesced at intake`,
    },
    { name: 'storm: cases created', value: storm.cases, unit: 'cases', note: 'after routing and dedup' },
  ]);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
