import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDistrictApp,
  DISTRICTS_DIR,
  loadDistrictForStack,
  PROJECT_ROOT,
} from '../../infra/district-app';
import { DistrictConfigError } from '../../shared/district/load';
import { CDK_JSON } from './synth';

const run = promisify(execFile);

let fixtures: string;
beforeAll(() => {
  fixtures = mkdtempSync(join(tmpdir(), 'xietong-districts-'));
  const sandun = JSON.parse(readFileSync(join(DISTRICTS_DIR, 'sandun.json'), 'utf8'));
  writeFileSync(
    join(fixtures, 'broken.json'),
    JSON.stringify({ ...sandun, id: 'broken', commandCentre: 'nobody' }),
  );
  writeFileSync(join(fixtures, 'renamed.json'), JSON.stringify(sandun));
  writeFileSync(
    join(fixtures, 'no-audience.json'),
    JSON.stringify({ ...sandun, id: 'no-audience', identity: { issuer: 'https://id.example.gov.cn/oidc' } }),
  );
  writeFileSync(join(fixtures, 'not-json.json'), '{ "id": ');
  copyFileSync(join(DISTRICTS_DIR, 'sandun.json'), join(fixtures, 'sandun.json'));
  // The district files extend the standard catalogue, which sits beside them.
  copyFileSync(join(DISTRICTS_DIR, 'catalogue.json'), join(fixtures, 'catalogue.json'));
});
afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

const problemOf = (fn: () => unknown): DistrictConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DistrictConfigError) return error;
    throw error;
  }
  throw new Error('expected a DistrictConfigError');
};

describe('loading the district before building the stack', () => {
  it('names the missing file of an unknown district', () => {
    const error = problemOf(() => loadDistrictForStack('nowhere'));
    expect(error.file).toBe(join(DISTRICTS_DIR, 'nowhere.json'));
    expect(error.problems[0]?.rule).toBe('readable');
    expect(error.message).toContain('districts/nowhere.json');
  });

  it('refuses an id that is not a district id (no paths)', () => {
    expect(problemOf(() => loadDistrictForStack('../etc/passwd')).problems[0]?.rule).toBe('district-id');
  });

  it('reports the schema rule with the file and the path', () => {
    const error = problemOf(() => loadDistrictForStack('broken', fixtures));
    expect(error.file).toBe(join(fixtures, 'broken.json'));
    expect(error.problems).toContainEqual(expect.objectContaining({ path: 'commandCentre' }));
    expect(error.message).toContain('commandCentre');
  });

  it('reports invalid JSON', () => {
    expect(problemOf(() => loadDistrictForStack('not-json', fixtures)).problems[0]?.rule).toBe('json');
  });

  it('requires the file name to match the id inside', () => {
    const error = problemOf(() => loadDistrictForStack('renamed', fixtures));
    expect(error.problems).toEqual([expect.objectContaining({ path: 'id', rule: 'matches-file-name' })]);
  });

  it('requires an audience with an issuer (the JWT authorizer checks it)', () => {
    const error = problemOf(() => loadDistrictForStack('no-audience', fixtures));
    expect(error.problems).toEqual([expect.objectContaining({ path: 'identity.audience' })]);
  });

  it('throws from buildDistrictApp before adding anything to the app', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildDistrictApp(app, { district: 'broken', districtsDir: fixtures })).toThrow(
      DistrictConfigError,
    );
    expect(app.node.children).toEqual([]);
  });
});

describe('infra/app.ts', () => {
  it('exits 1 with the file and the rule when the district does not load', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'xietong-cdk-'));
    try {
      const failure = await run(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['infra/app.ts'], {
        cwd: PROJECT_ROOT,
        // How the CDK CLI hands `-c district=…` and the output directory to the app.
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ district: 'nowhere' }),
          CDK_OUTDIR: outdir,
        },
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain('districts/nowhere.json');
      expect(failure?.stderr).toContain('[readable]');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000); // a child process importing aws-cdk-lib: slow on a busy machine
});

describe('cdk.json', () => {
  it('runs infra/app.ts with tsx, defaults to Sandun and keeps telemetry off', () => {
    expect(CDK_JSON.app).toBe('npx tsx infra/app.ts');
    expect(CDK_JSON.context).toMatchObject({ district: 'sandun', 'cli-telemetry': false });
  });

  it('sets every feature flag aws-cdk-lib recommends, at the recommended value', () => {
    const recommended = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'node_modules/aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(CDK_JSON.context).toMatchObject(recommended);
  });
});
