import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Aspects, CfnOutput, Duration, Stack, type StackProps, Stage, Tags } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { examplesFileFor, loadExamples } from '../../shared/district/examples';
import { parsedDistrictDocument } from '../../shared/district/load';
import type { DistrictConfig } from '../../shared/district/schema';
import { countFeatures } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import { ENV } from '../../shared/runtime/env';
import {
  consumes,
  FUNCTIONS,
  type FunctionSpec,
  type QueueName,
  queueTriggerOf,
  rateExpression,
  triggersOfKind,
} from '../../shared/runtime/functions';
import { AlarmTopic } from './alarms';
import { Api } from './api';
import { CaseTable } from './data';
import { EvidenceStorage } from './evidence';
import { ExportStorage } from './exports';
import { timeoutOf, XietongFunction } from './functions';
import { Identity } from './identity';
import { DropDependsOnImpliedByRole } from './implied-dependencies';
import { acknowledgeNagFindings } from './nag-suppressions';
import { isChinaPartition } from './partition';
import { FailureQueue, OLDEST_MESSAGE_ALARM_SECONDS, WorkQueue } from './queues';
import { DeadlineTimers } from './timers';
import { WebHosting } from './web';

export const DISTRICT_TAG = 'xietong:district';

export interface DistrictStackProps extends StackProps {
  district: DistrictConfig;
  /** Absolute path of the validated district file; it is bundled into every function. */
  districtFile: string;
  /** Repository root (FUNCTIONS' entry files are relative to it). */
  projectRoot: string;
  functions?: FunctionSpec[];
  corsOrigins?: string[];
  /** The built web app (web/dist) to deploy behind CloudFront; without it only config.json is. */
  webAssetsDir?: string;
  throttle?: { rateLimit: number; burstLimit: number };
}

/** Everything one district runs on: table, intake queue, functions, HTTP API, identity, alarms. */
export class DistrictStack extends Stack {
  readonly table: CaseTable;
  readonly queues: WorkQueue;
  readonly identity: Identity;
  readonly functions: Map<string, XietongFunction>;
  readonly api: Api;
  /** The cockpit and field page: private bucket behind CloudFront, with the API on the same domain. */
  readonly web: WebHosting;
  readonly alarms: AlarmTopic;
  /** Deadline timers (Step Functions), the due-check and notification queues. */
  readonly timers: DeadlineTimers;
  /** The evidence bucket (photos, videos, documents from the field) and its access-log bucket. */
  readonly evidence: EvidenceStorage;
  /** Big exports, kept a day, handed out as expiring links. */
  readonly exports: ExportStorage;
  /** Export jobs waiting for (or continued by) the export worker. */
  readonly exportJobs: WorkQueue;
  /** Stream batches the evaluation aggregator kept failing on. */
  readonly caseChangeFailures: FailureQueue;
  /** Lambda X-Ray tracing (off in AWS China). */
  readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: DistrictStackProps) {
    const {
      district,
      districtFile,
      projectRoot,
      functions,
      corsOrigins,
      webAssetsDir,
      throttle,
      ...stackProps
    } = props;
    const districtId = district.id;
    super(scope, id, {
      description: `xietong case coordination for ${district.name.en} (${districtId})`,
      ...stackProps,
      tags: { [DISTRICT_TAG]: districtId, ...stackProps.tags },
    });
    Tags.of(this).add(DISTRICT_TAG, districtId);
    const specs = functions ?? FUNCTIONS;
    /** The longest timeout among the consumers of those queues (a queue's visibility outlasts it). */
    const consumerTimeoutOf = (...queues: QueueName[]) => {
      const timeouts = specs
        .filter((spec) => queues.some((queue) => consumes(spec, queue)))
        .map((spec) => timeoutOf(spec).toSeconds());
      return Duration.seconds(timeouts.length > 0 ? Math.max(...timeouts) : 30);
    };
    const tracing = !isChinaPartition(this);
    this.tracing = tracing;
    if (!tracing) {
      Annotations.of(this).addInfo(
        'Lambda X-Ray tracing is off: Lambda does not integrate X-Ray in AWS China.',
      );
    }

    this.alarms = new AlarmTopic(this, 'Alarms', { districtId });
    this.table = new CaseTable(this, 'Data', { districtId });
    this.queues = new WorkQueue(this, 'Intake', {
      description: 'Intake (reports waiting for the router)',
      consumerTimeout: consumerTimeoutOf('intake'),
      alarms: this.alarms,
      oldestMessageAlarm: Duration.seconds(OLDEST_MESSAGE_ALARM_SECONDS),
      fifo: true,
    });
    this.identity = new Identity(this, 'Identity', { district });
    this.timers = new DeadlineTimers(this, 'Timers', {
      districtId,
      alarms: this.alarms,
      tracing,
      consumerTimeout: consumerTimeoutOf('dueChecks', 'notifications'),
    });

    this.evidence = new EvidenceStorage(this, 'Evidence', {
      districtId,
      corsOrigins: corsOrigins ?? ['*'],
    });
    this.exports = new ExportStorage(this, 'Exports', { districtId, accessLogs: this.evidence.accessLogs });
    this.exportJobs = new WorkQueue(this, 'ExportJobs', {
      description: 'Export jobs',
      consumerTimeout: consumerTimeoutOf('exportJobs'),
      alarms: this.alarms,
      // A job is queued again every couple of minutes while it runs: a message this old means the worker is down.
      oldestMessageAlarm: Duration.minutes(10),
    });

    this.caseChangeFailures = new FailureQueue(this, 'CaseChangeFailures', {
      description: 'Case changes the evaluation aggregates could not take',
      alarms: this.alarms,
    });

    const environment: Record<string, string> = {
      [ENV.trustedIssuer]: this.identity.issuer,
      [ENV.claimRole]: this.identity.claims.role,
      [ENV.claimDepartment]: this.identity.claims.department,
      [ENV.claimZone]: this.identity.claims.zone,
      POWERTOOLS_SERVICE_NAME: 'xietong',
      POWERTOOLS_METRICS_NAMESPACE: `Xietong/${districtId}`,
      NODE_OPTIONS: '--enable-source-maps',
      ...(tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }),
    };
    // The functions carry the district as validated here, parsed: their cold start skips the schema.
    const outdir = Stage.of(this)?.outdir ?? projectRoot;
    mkdirSync(outdir, { recursive: true });
    const parsedDistrictFile = join(outdir, `district-${districtId}.parsed.json`);
    writeFileSync(parsedDistrictFile, parsedDistrictDocument(district));
    // And the triage classifier's counts, so the router's cold start doesn't segment every example.
    const examplesFile = examplesFileFor(districtFile);
    const triageCountsFile = existsSync(examplesFile)
      ? join(outdir, `district-${districtId}.triage.json`)
      : undefined;
    if (triageCountsFile) {
      const index = indexDistrict(district);
      writeFileSync(
        triageCountsFile,
        JSON.stringify(countFeatures(index, loadExamples(examplesFile, district))),
      );
    }
    this.functions = new Map();
    for (const spec of specs) {
      const fn = new XietongFunction(this, `Fn-${spec.name}`, {
        spec,
        projectRoot,
        districtFile,
        parsedDistrictFile,
        ...(triageCountsFile && { triageCountsFile }),
        environment,
        tracing,
      });
      fn.bindTable(this.table, spec.access.table, spec.access.deletes);
      // Grants (access) and triggers, bound in this order: the role's policy keeps its statement order.
      fn.bindIntakeQueue(this.queues.queue, spec.access.intakeQueue, queueTriggerOf(spec, 'intake'));
      this.timers.bind(fn.function, spec);
      fn.bindEvidence(
        this.evidence,
        spec.access.evidence ?? 'none',
        triggersOfKind(spec, 'objectCreated')[0],
      );
      fn.bindExports(this.exports, spec.access.exports ?? 'none');
      fn.bindExportJobs(
        this.exportJobs,
        spec.access.exportJobs ?? 'none',
        queueTriggerOf(spec, 'exportJobs'),
      );
      fn.bindCaseChanges(
        this.table.table,
        this.caseChangeFailures.queue,
        triggersOfKind(spec, 'caseChanges')[0],
      );
      this.functions.set(spec.name, fn);
    }
    for (const [name, fn] of this.functions) {
      for (const trigger of triggersOfKind(fn.spec, 'schedule')) {
        new Rule(this, `Schedule-${name}`, {
          description: `xietong ${districtId}: runs ${name}`,
          schedule: Schedule.expression(rateExpression(trigger)),
          targets: [new LambdaFunction(fn.function, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
        });
      }
    }

    this.api = new Api(this, 'Api', {
      districtId,
      functions: [...this.functions.values()],
      identity: this.identity,
      corsOrigins: corsOrigins ?? ['*'],
      throttle: throttle ?? { rateLimit: 100, burstLimit: 200 },
    });

    this.web = new WebHosting(this, 'Web', {
      district,
      api: this.api,
      identity: this.identity,
      evidenceBucket: this.evidence.bucket,
      ...(webAssetsDir && { assetsDir: webAssetsDir }),
    });

    new CfnOutput(this, 'CockpitUrl', { value: this.web.url, description: 'The cockpit (and /field.html)' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'IntakeQueueUrl', { value: this.queues.queue.queueUrl });
    new CfnOutput(this, 'IntakeDeadLetterQueueUrl', { value: this.queues.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'TimerStateMachineArn', { value: this.timers.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EvidenceBucketName', { value: this.evidence.bucket.bucketName });
    new CfnOutput(this, 'ExportsBucketName', { value: this.exports.bucket.bucketName });
    new CfnOutput(this, 'ExportJobQueueUrl', { value: this.exportJobs.queue.queueUrl });
    new CfnOutput(this, 'JwtIssuer', { value: this.identity.issuer });
    if (this.identity.userPool && this.identity.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.identity.userPoolClient.userPoolClientId });
    }
    // The cdk-nag AwsSolutions findings kept on purpose, each with its reason (see docs/security.md).
    acknowledgeNagFindings(this);
    // Keeps the template free of DependsOn entries that a GetAtt already implies (cfn-lint W3005).
    Aspects.of(this).add(new DropDependsOnImpliedByRole());
  }
}
