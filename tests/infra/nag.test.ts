import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp, PROJECT_ROOT } from '../../infra/district-app';
import type { DistrictStack } from '../../infra/stack/district-stack';
import { NAG_REASONS, nagAcknowledgements } from '../../infra/stack/nag-suppressions';
import { type TestApp, testApp } from './synth';

const CHINA = { region: 'cn-northwest-1', account: '123456789012' };
const FUNCTION_NAMES = [
  'aggregate-cases',
  'attachments',
  'cameras',
  'cases',
  'department-events',
  'escalate',
  'evaluation',
  'evidence',
  'export-jobs',
  'export-worker',
  'integration-keys',
  'intake',
  'joint-visits',
  'key-authorizer',
  'meta',
  'notify',
  'open311',
  'premises',
  'rearm-timers',
  'route-reports',
  'subscriptions',
  'sweep-unrouted',
];

/** What every district stack acknowledges: the runtime and the public routes (health, OpenAPI, Open311). */
const COMMON = [
  'AwsSolutions-APIG4 Api/HttpApi/GET--health/Resource',
  'AwsSolutions-APIG4 Api/HttpApi/GET--openapi.json/Resource',
  ...[
    'GET--open311--v2--{file}',
    'GET--open311--v2--services--{file}',
    'GET--open311--v2--requests--{file}',
    'GET--open311--v2--tokens--{file}',
    'POST--open311--v2--{file}',
    'POST--v1--integrations--{system}--events',
    'POST--v1--integrations--cameras--alerts',
  ].map((route) => `AwsSolutions-APIG4 Api/HttpApi/${route}/Resource`),
  ...FUNCTION_NAMES.map((name) => `AwsSolutions-L1 Fn-${name}/Function/Resource`),
  // Log delivery for the deadline timers' state machine has no resource-level permissions.
  'AwsSolutions-IAM5[Resource::*] Timers/StateMachine/Role/DefaultPolicy/Resource',
  // Evidence: object-level grants on one prefix each (originals, thumbnails, quarantine, staged snapshots).
  ...(
    [
      ['attachments', ['cases', 'thumbnails']],
      ['evidence', ['cases', 'thumbnails', 'quarantine', 'snapshots']],
      ['cameras', ['snapshots']],
      ['route-reports', ['cases', 'snapshots']],
    ] as const
  ).flatMap(([name, prefixes]) =>
    prefixes.map(
      (prefix) =>
        `AwsSolutions-IAM5[Resource::<EvidenceBucketC67FF768.Arn>/${prefix}/*] Fn-${name}/Role/DefaultPolicy/Resource`,
    ),
  ),
  // Exports: the evaluation function writes big exports under one prefix and signs their links;
  // the export job API signs links to finished jobs, the export worker writes and removes their files.
  ...['evaluation', 'export-jobs', 'export-worker'].map(
    (name) =>
      `AwsSolutions-IAM5[Resource::<ExportsBucket54D5CE64.Arn>/exports/*] Fn-${name}/Role/DefaultPolicy/Resource`,
  ),
  // CDK's own custom resource that sets the bucket notification.
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource',
];
/** The cockpit's CloudFront distribution and CDK's BucketDeployment handler that fills its bucket. */
const DEPLOYER = 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiB';
const webHosting = (assetBucket: string) => [
  'AwsSolutions-CFR1 Web/Distribution/Resource',
  'AwsSolutions-CFR2 Web/Distribution/Resource',
  'AwsSolutions-CFR4 Web/Distribution/Resource',
  `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] ${DEPLOYER}/ServiceRole/Resource`,
  ...[
    'Action::s3:Abort*',
    'Action::s3:DeleteObject*',
    'Action::s3:GetBucket*',
    'Action::s3:GetObject*',
    'Action::s3:List*',
    'Resource::*',
    'Resource::<WebSiteD504717C.Arn>/*',
    `Resource::${assetBucket}/*`,
  ].map((wildcard) => `AwsSolutions-IAM5[${wildcard}] ${DEPLOYER}/ServiceRole/DefaultPolicy/Resource`),
  `AwsSolutions-L1 ${DEPLOYER}/Resource`,
];
const WEB = webHosting('arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>');
const CHINA_WEB = [
  ...webHosting('arn:aws-cn:s3:::cdk-hnb659fds-assets-123456789012-cn-northwest-1'),
  // No origin access control in AWS China: an origin access identity reads the bucket.
  'AwsSolutions-CFR7 Web/Distribution/Resource',
];
/** The timers' state machine has no X-Ray tracing where the functions have none. */
const CHINA_TRACING = ['AwsSolutions-SF2 Timers/StateMachine/Resource'];
/** X-Ray's `Resource: *`, outside AWS China only (tracing is off there). */
const XRAY = FUNCTION_NAMES.map(
  (name) => `AwsSolutions-IAM5[Resource::*] Fn-${name}/Role/DefaultPolicy/Resource`,
);
/** A district without its own OIDC issuer gets a Cognito user pool. */
const USER_POOL = [
  'AwsSolutions-COG2 Identity/UserPool/Resource',
  'AwsSolutions-COG8 Identity/UserPool/Resource',
];

/**
 * The stream consumer's `dynamodb:ListStreams` has no resource-level permissions: its `Resource: *`,
 * acknowledged together with X-Ray's where tracing is on (in XRAY), on its own in AWS China.
 */
const LIST_STREAMS = ['AwsSolutions-IAM5[Resource::*] Fn-aggregate-cases/Role/DefaultPolicy/Resource'];
/** The stream's failure queue is an event source's on-failure destination, not a work queue. */
const FAILURE_QUEUE = ['AwsSolutions-SQS3 CaseChangeFailures/Queue/Resource'];

const EXPECTED: Record<string, string[]> = {
  sandun: [...COMMON, ...FAILURE_QUEUE, ...WEB, ...XRAY, ...USER_POOL],
  liangzhu: [...COMMON, ...FAILURE_QUEUE, ...WEB, ...XRAY],
  'sandun (China)': [
    ...COMMON,
    ...FAILURE_QUEUE,
    ...CHINA_WEB,
    ...CHINA_TRACING,
    ...LIST_STREAMS,
    ...USER_POOL,
  ],
  'liangzhu (China)': [...COMMON, ...FAILURE_QUEUE, ...CHINA_WEB, ...CHINA_TRACING, ...LIST_STREAMS],
};

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}
interface ValidationReport {
  pluginReports: { pluginName: string; violations: Violation[] }[];
}

const relative = (stack: Stack, path: string): string => path.slice(stack.node.path.length + 1);

/** `<rule> <path in the stack>` for every acknowledgement recorded in the stack's tree. */
const acknowledged = (stack: Stack): string[] =>
  stack.node
    .findAll()
    .flatMap((construct: IConstruct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
        .map((id) => `${id.replace(/^annotation::/i, '')} ${relative(stack, construct.node.path)}`),
    )
    .sort();

/** What the AwsSolutions pack finds when no acknowledgement is honoured. */
const rawFindings = (stack: Stack): string[] => {
  const pack = new AwsSolutionsChecks();
  // cdk-nag 3.0.2 (pinned) asks this private method; ignoring acknowledgements shows every finding.
  Object.assign(pack, { isAcknowledged: () => false });
  return pack
    .validateScope(stack)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${relative(stack, r.constructPath ?? '')}`),
    )
    .sort();
};

const apps: TestApp[] = [];
const stacks: Record<string, DistrictStack> = {};
const reports: ValidationReport[] = [];

// Two apps, two stacks each: every stack is synthesized with the pack as `cdk synth` runs it.
beforeAll(() => {
  for (const env of [undefined, CHINA]) {
    const synth = testApp();
    apps.push(synth);
    for (const district of ['sandun', 'liangzhu']) {
      stacks[env ? `${district} (China)` : district] = buildDistrictApp(synth.app, { district, env });
    }
    synth.app.synth();
    reports.push(JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')));
  }
});
afterAll(() => {
  for (const synth of apps) synth.dispose();
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged error or warning in any district stack', () => {
    const nag = reports.flatMap((report) =>
      report.pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions'),
    );
    expect(nag.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('acknowledges exactly the expected findings, each on its own resource', () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      expect(acknowledged(stacks[name]!), name).toEqual([...expected].sort());
    }
  });

  it('acknowledges only what the pack really finds (no stale acknowledgement) and fixes the rest', () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      expect(rawFindings(stacks[name]!), name).toEqual([...expected].sort());
    }
  });

  it('stops the synth on a new finding', () => {
    const synth = testApp();
    try {
      const stack = buildDistrictApp(synth.app, { district: 'liangzhu' });
      new Queue(stack, 'Unprotected', { enforceSSL: false });
      // In memory the error carries the report; the CLI prints the same report and fails.
      expect(() => synth.app.synth()).toThrow(/AwsSolutions-SQS4/);
      const report = JSON.parse(
        readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'),
      ) as ValidationReport;
      const rules = report.pluginReports
        .filter((plugin) => plugin.pluginName === 'AwsSolutions')
        .flatMap((plugin) => plugin.violations.map((v) => v.ruleName));
      expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    } finally {
      synth.dispose();
    }
  });
});

describe('docs/security.md', () => {
  const markdown = readFileSync(join(PROJECT_ROOT, 'docs/security.md'), 'utf8');
  const section = markdown.split('## Acknowledged cdk-nag findings')[1]?.split('\n## ')[0] ?? '';
  /** Table rows: rule id, resource paths (code spans), reason. */
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [id, resources, reason] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return {
        id: id?.replaceAll('`', ''),
        resources: [...(resources ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort(),
        reason,
      };
    });

  it('lists every acknowledgement of every district stack with its exact reason and resources', () => {
    // One row per rule and reason: a rule may be acknowledged for different resources for
    // different reasons (the functions' runtime, CDK's deployment handler's runtime).
    const byRule = new Map<string, { id: string; reason: string; resources: Set<string> }>();
    for (const stack of Object.values(stacks)) {
      for (const { id, reason, resources } of nagAcknowledgements(stack)) {
        const key = `${id} ${reason}`;
        const entry = byRule.get(key) ?? { id, reason, resources: new Set<string>() };
        for (const resource of resources) entry.resources.add(relative(stack, resource.node.path));
        byRule.set(key, entry);
      }
    }
    const order = (a: { id?: string; reason?: string }, b: { id?: string; reason?: string }) =>
      `${a.id} ${a.reason}`.localeCompare(`${b.id} ${b.reason}`);
    expect([...rows].sort(order)).toEqual(
      [...byRule.values()]
        .map(({ id, reason, resources }) => ({ id, resources: [...resources].sort(), reason }))
        .sort(order),
    );
    expect(new Set(rows.map((row) => row.reason))).toEqual(new Set(Object.values(NAG_REASONS)));
  });
});
