import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { operationsOf, runFuzz } from '../support/prove/api-fuzzer';
import { type PreparedFuzz, prepareFuzz } from '../support/prove/fuzz-fixtures';

/**
 * The whole API fuzzed over HTTP against the local cloud in a child process (so a crash is a crash):
 * requests generated from GET /openapi.json with hostile mutations, with a fixed seed so a failure
 * replays. The long run is `npm run fuzz -- --runs N --seed S`.
 */
const SEED = 20261130;
const RUNS = Number(process.env.XT_FUZZ_RUNS ?? 2_000);

describe('fuzzing every endpoint of the OpenAPI document', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'xietong-fuzz-'));
  let cloud: SpawnedCloud;
  let prepared: PreparedFuzz;

  beforeAll(async () => {
    cloud = await spawnLocalCloud({ dataDir });
    prepared = await prepareFuzz(cloud.info.url);
  }, 120_000);

  afterAll(async () => {
    await cloud?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('covers every operation the document lists', () => {
    const operations = operationsOf(prepared.document).map((o) => `${o.method} ${o.path}`);
    expect(operations).toContain('POST /v1/cases');
    expect(operations).toContain('POST /v1/cases/{id}/dispatch');
    expect(operations.length).toBeGreaterThan(30);
  });

  it(`${RUNS} generated and mutated requests: no 5xx, no crash, every refusal a problem naming its field`, async () => {
    const outcome = await runFuzz({
      baseUrl: cloud.info.url,
      document: prepared.document,
      fixtures: prepared.fixtures,
      runs: RUNS,
      seed: SEED,
      assertAlive: () => {
        const { exitCode, signalCode } = cloud.process;
        if (exitCode !== null || signalCode !== null)
          throw new Error(
            `the local cloud died (${exitCode ?? signalCode}):\n${cloud.output().slice(-3000)}`,
          );
      },
    });
    expect(outcome.serverErrors).toBe(0);
    expect(outcome.sent).toBeGreaterThanOrEqual(RUNS);
    // Every operation was hit (the generator picks operations uniformly).
    expect(Object.keys(outcome.byOperation).length).toBe(operationsOf(prepared.document).length);
    console.info(`fuzz: ${outcome.sent} requests, statuses ${JSON.stringify(outcome.byStatus)}`);
  }, 600_000);
});
