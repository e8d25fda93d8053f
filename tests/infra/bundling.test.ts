import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp, DISTRICTS_DIR } from '../../infra/district-app';
import { examplesFileFor, loadExamples } from '../../shared/district/examples';
import { loadDistrict, parsedDistrictDocument } from '../../shared/district/load';
import { train } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import { triageModelFromEnv } from '../../shared/runtime/composition/triage';
import { ENV } from '../../shared/runtime/env';
import type { FunctionSpec } from '../../shared/runtime/functions';
import { type TestApp, testApp } from './synth';

// A single stand-in function keeps the real esbuild run under a second.
const PROBE: FunctionSpec = {
  name: 'probe',
  entry: 'tests/infra/fixtures/handler.ts',
  description: 'bundling probe',
  routes: [{ method: 'GET', path: '/probe', public: true }],
  access: { table: 'none', intakeQueue: 'none' },
};

let synth: TestApp;
let assetDir: string;

beforeAll(() => {
  synth = testApp({ bundle: true });
  Template.fromStack(buildDistrictApp(synth.app, { district: 'sandun', functions: [PROBE] }));
  // The probe's bundle; the other assets are CDK's cockpit deployment handler, its layer and config.json.
  const bundles = readdirSync(synth.outdir).filter(
    (name) => name.startsWith('asset.') && existsSync(join(synth.outdir, name, 'index.mjs')),
  );
  expect(bundles).toHaveLength(1);
  assetDir = join(synth.outdir, bundles[0]!);
});
afterAll(() => synth.dispose());

describe('a function bundle', () => {
  it('is an ES module with a working require, and its source map', () => {
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as xietongCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  });

  it('carries the district file as district.json (XT_DISTRICT_FILE), in the parsed form that loads without the schema', () => {
    const validated = loadDistrict(join(DISTRICTS_DIR, 'sandun.json'));
    expect(readFileSync(join(assetDir, 'district.json'), 'utf8')).toBe(parsedDistrictDocument(validated));
    expect(loadDistrict(join(assetDir, 'district.json'))).toEqual(validated);
  });

  it("carries the triage classifier's counts, from which the router builds the model training would", () => {
    const district = indexDistrict(loadDistrict(join(DISTRICTS_DIR, 'sandun.json')));
    const examples = loadExamples(examplesFileFor(join(DISTRICTS_DIR, 'sandun.json')), district.config);
    const built = triageModelFromEnv(district, { [ENV.districtFile]: join(assetDir, 'district.json') });
    expect(existsSync(join(assetDir, 'district.triage.json'))).toBe(true);
    expect(built.trainedOn).toEqual(train(district, examples).trainedOn);
  });

  it('needs no catalogue beside it: the parsed district carries the catalogue’s categories expanded', () => {
    expect(existsSync(join(assetDir, 'catalogue.json'))).toBe(false);
    const bundled = loadDistrict(join(assetDir, 'district.json'));
    expect(bundled.categories.length).toBeGreaterThan(120);
    expect(bundled.categories.map((c) => c.code)).toContain('component.street-light-broken');
  });
});
