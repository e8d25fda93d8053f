import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedCloud, spawnLocalCloud } from '../../infra/local/spawn';
import { cloudClient } from '../support/local-cloud-client';

/**
 * `--log-level` and `--metrics` reach the handlers' Powertools logger and metrics. They read their
 * settings once, when `shared/runtime/observability.ts` loads: the local runtime once loaded it
 * before it had set the environment, so every handler logged at INFO and wrote EMF lines whatever
 * the flags said (a JSON line or two per report in a burst).
 */
const POWERTOOLS_SETTINGS = [
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_TRACE_ENABLED',
];

describe('the handlers’ logs and metrics on npm start', () => {
  let cloud: SpawnedCloud | undefined;
  const dirs: string[] = [];
  const api = cloudClient(() => cloud?.info.url ?? '');

  const start = async (args: string[]) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'xietong-e2e-observability-'));
    dirs.push(dataDir);
    // As from a shell: the test run's own Powertools settings (vitest.config.mts) stay out of it.
    const inherited = Object.fromEntries(POWERTOOLS_SETTINGS.map((name) => [name, process.env[name]]));
    for (const name of POWERTOOLS_SETTINGS) delete process.env[name];
    try {
      cloud = await spawnLocalCloud({ dataDir, args });
    } finally {
      for (const [name, value] of Object.entries(inherited))
        if (value !== undefined) process.env[name] = value;
    }
    const users = (await api('/local/tokens')).body.users as { role: string; token: string }[];
    return users.find((user) => user.role === 'command_centre')!.token;
  };

  /** A refused report (the intake logs each refusal at INFO) and an accepted one (it counts a metric). */
  const report = async (token: string) => {
    const refused = await api('/v1/cases', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': 'observability-refused' },
      body: { description: '路灯坏了', source: 'carrier-pigeon', location: { lat: 30.29, lng: 120.08 } },
    });
    expect(refused.status).toBe(400);
    const accepted = await api('/v1/cases', {
      method: 'POST',
      token,
      headers: { 'idempotency-key': 'observability-accepted' },
      body: { description: '三墩路口路灯不亮', source: 'hotline', location: { lat: 30.29, lng: 120.08 } },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    // The cloud's output reaches this process a moment after the replies: let it arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  };

  afterEach(async () => {
    await cloud?.kill('SIGKILL');
    cloud = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('logs at the level asked for, and writes no metrics unless asked', async () => {
    await report(await start(['--log-level', 'ERROR']));
    const output = cloud?.output() ?? '';
    expect(output).not.toContain('"level":"INFO"');
    expect(output).not.toContain('"_aws"');
  }, 90_000);

  it('writes the metrics, in the local namespace, with --metrics', async () => {
    await report(await start(['--log-level', 'INFO', '--metrics']));
    const output = cloud?.output() ?? '';
    expect(output).toContain('"Namespace":"Xietong/local"');
    expect(output).toContain('"level":"INFO"');
  }, 90_000);
});
