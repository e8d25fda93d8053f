import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp } from '../../infra/district-app';
import { ACKNOWLEDGED_LINT_WARNINGS } from './cfn-lint.acknowledged';
import { type TestApp, testApp } from './synth';

/**
 * cfn-lint (the CloudFormation spec linter) on the templates `cdk synth` would deploy: Sandun in
 * us-east-1 and Liangzhu in AWS China (cn-northwest-1), each checked against its own region's
 * resource specs. Any error fails; a warning fails unless cfn-lint.acknowledged.ts lists it with a
 * reason. CDK's built-in validation is off here: this is the stricter check.
 *
 * Skipped, loudly, only on a developer machine without cfn-lint; with CI set it always runs.
 */
const TARGETS = [
  { district: 'sandun', region: 'us-east-1' },
  { district: 'liangzhu', region: 'cn-northwest-1' },
] as const;
const UNCHECKED = TARGETS.map(({ district, region }) => `Xietong-${district} (${region})`).join(' and ');

const cfnLintVersion = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const cfnLintAvailable = !cfnLintVersion.error && cfnLintVersion.status === 0;
const skip = !cfnLintAvailable && !process.env.CI;
if (skip) {
  console.warn(
    `\n⚠ cfn-lint is not on PATH: the CloudFormation lint of ${UNCHECKED} went UNCHECKED ` +
      '(tests/infra/cfn-lint.test.ts skipped). Install cfn-lint 1.x (`pip install cfn-lint`) to run it.\n',
  );
}

interface LintFinding {
  Filename: string;
  Rule: { Id: string };
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Location: { Path: (string | number)[] | null };
}

/** One finding as the test reports it: `<template> <rule> <logical id>: <message>`. */
interface Finding {
  template: string;
  rule: string;
  level: LintFinding['Level'];
  resource: string;
  message: string;
}
const describeFinding = (f: Finding): string => `${f.template} ${f.rule} ${f.resource}: ${f.message}`;

const run = promisify(execFile);

/**
 * Lints `templates` (name → file) for one region in one cfn-lint process. Its exit code is a bit
 * mask of what it found (2 error, 4 warning, 8 informational); bit 1 means it failed to lint, which
 * must not pass as "no findings".
 */
const lint = async (templates: Record<string, string>, region: string): Promise<Finding[]> => {
  const nameOf = new Map(Object.entries(templates).map(([name, file]) => [file, name]));
  const args = ['--format', 'json', '--regions', region, '--', ...nameOf.keys()];
  const { stdout, stderr, code } = await run('cfn-lint', args, { maxBuffer: 16 * 1024 * 1024 }).then(
    (done) => ({ ...done, code: 0 }),
    (failed: { stdout?: string; stderr?: string; code?: number | string }) => ({
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      code: failed.code ?? 'unknown',
    }),
  );
  if (typeof code !== 'number' || (code & 1) === 1) {
    throw new Error(`cfn-lint could not lint ${[...nameOf.values()]} (exit ${code}): ${stderr || stdout}`);
  }
  return (JSON.parse(stdout) as LintFinding[]).map((finding) => {
    const path = finding.Location.Path ?? [];
    return {
      template: nameOf.get(finding.Filename) ?? finding.Filename,
      rule: finding.Rule.Id,
      level: finding.Level,
      resource: path[0] === 'Resources' ? String(path[1]) : path.join('/'),
      message: finding.Message,
    };
  });
};

const acknowledgementOf = (finding: Finding) =>
  ACKNOWLEDGED_LINT_WARNINGS.find(
    (entry) => entry.rule === finding.rule && entry.resource.test(finding.resource),
  );

let synth: TestApp;
let findings: Finding[];
/** A template with a known error, linted alongside: proves the harness sees what cfn-lint reports. */
let canary: Finding[];

describe.skipIf(skip)('cfn-lint on the synthesized district stacks', () => {
  beforeAll(async () => {
    if (!cfnLintAvailable) {
      throw new Error(`CI is set but cfn-lint is not on PATH: ${UNCHECKED} cannot be linted`);
    }
    synth = testApp();
    const stacks = TARGETS.map(({ district, region }) => ({
      region,
      stack: buildDistrictApp(synth.app, {
        district,
        env: { region, account: '123456789012' },
        webAssetsDir: 'tests/infra/fixtures/web',
      }),
    }));
    const assembly = synth.app.synth();
    const canaryFile = join(synth.outdir, 'canary.template.json');
    writeFileSync(
      canaryFile,
      JSON.stringify({ Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { Bogus: 1 } } } }),
    );
    // One cfn-lint process per region, both at once (≈5 s each); the canary rides along with us-east-1.
    const all = (
      await Promise.all(
        stacks.map(({ stack, region }) =>
          lint(
            {
              [stack.stackName]: assembly.getStackByName(stack.stackName).templateFullPath,
              ...(region === 'us-east-1' && { canary: canaryFile }),
            },
            region,
          ),
        ),
      )
    ).flat();
    canary = all.filter((f) => f.template === 'canary');
    findings = all.filter((f) => f.template !== 'canary');
  }, 180_000);
  afterAll(() => synth?.dispose());

  it('reports a deliberate error (the harness reads cfn-lint’s findings)', () => {
    expect(canary.some((f) => f.level === 'Error' && f.resource === 'Table')).toBe(true);
  });

  it('finds no error in either template', () => {
    expect(findings.filter((f) => f.level === 'Error').map(describeFinding)).toEqual([]);
  });

  it('finds no warning beyond the acknowledged ones', () => {
    const unacknowledged = findings.filter((f) => f.level !== 'Error' && !acknowledgementOf(f));
    expect(unacknowledged.map(describeFinding)).toEqual([]);
  });

  it('acknowledges only warnings that still occur, each with a reason', () => {
    for (const entry of ACKNOWLEDGED_LINT_WARNINGS) {
      expect(entry.rule, 'errors cannot be acknowledged').not.toMatch(/^E/);
      expect(entry.reason.length, `${entry.rule} ${entry.resource} needs a reason`).toBeGreaterThan(20);
      const used = findings.some((f) => f.rule === entry.rule && entry.resource.test(f.resource));
      expect(used, `stale acknowledgement ${entry.rule} ${entry.resource}`).toBe(true);
    }
  });
});
