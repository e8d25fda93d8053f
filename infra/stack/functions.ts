import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  FilterCriteria,
  FilterRule,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  StartingPosition,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { CASE_SORT_KEY } from '../../shared/adapters/aws/case-item';
import { examplesFileFor, triageCountsFileFor } from '../../shared/district/examples';
import { ENV } from '../../shared/runtime/env';
import {
  type CaseChangesTrigger,
  type FunctionSpec,
  type ObjectCreatedTrigger,
  type QueueTrigger,
  unbundledModulesOf,
} from '../../shared/runtime/functions';
import { NODE_MAJOR } from '../node-runtime';
import { bundleOptionsFor, ENTRY_FILE } from './bundling';
import type { CaseTable } from './data';
import type { EvidenceAccess, EvidenceStorage } from './evidence';
import type { ExportStorage } from './exports';
import { eventSourceFor, type WorkQueue } from './queues';

export const DEFAULT_MEMORY_MB = 512;
/** Lambda's managed runtime for NODE_MAJOR (infra/node-runtime.ts), the major npm scripts run on too. */
const LAMBDA_RUNTIMES = { 22: Runtime.NODEJS_22_X, 24: Runtime.NODEJS_24_X } as const;
export const LAMBDA_RUNTIME: Runtime = LAMBDA_RUNTIMES[NODE_MAJOR];
/** Every function runs on Graviton (arm64); native modules are installed for it. */
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
const LAMBDA_CPU = 'arm64';
/** HTTP functions answer within API Gateway's 30 s limit; queue and schedule work gets longer. */
const DEFAULT_HTTP_TIMEOUT_SECONDS = 10;
const DEFAULT_BACKGROUND_TIMEOUT_SECONDS = 30;

/** Where the district file sits inside every bundle (Lambda's working directory is /var/task). */
export const BUNDLED_DISTRICT_FILE = 'district.json';

export const timeoutOf = (spec: FunctionSpec): Duration =>
  Duration.seconds(
    spec.timeoutSeconds ??
      (spec.routes.length > 0 ? DEFAULT_HTTP_TIMEOUT_SECONDS : DEFAULT_BACKGROUND_TIMEOUT_SECONDS),
  );

/**
 * npm installs a native module's prebuilt binary for the platform it is told, not the one it runs
 * on: linux + the function's CPU (arm64) + glibc, at the version the lockfile pins.
 */
export const nativeModuleInstall = (spec: FunctionSpec, projectRoot: string, outputDir: string): string[] => {
  const modules = unbundledModulesOf(spec);
  if (modules.length === 0) return [];
  const pinned = modules.map((name) => {
    const manifest = JSON.parse(
      readFileSync(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8'),
    ) as {
      version: string;
    };
    return `${name}@${manifest.version}`;
  });
  return [
    `cd ${JSON.stringify(outputDir)} && npm install --no-save --no-package-lock --no-audit --no-fund --omit=dev --os=linux --cpu=${LAMBDA_CPU} --libc=glibc ${pinned.join(' ')}`,
  ];
};

export interface XietongFunctionProps {
  spec: FunctionSpec;
  /** Repository root: entry files in FUNCTIONS are relative to it. */
  projectRoot: string;
  /** Absolute path of the validated district file (the triage examples sit beside it). */
  districtFile: string;
  /** The same district in its parsed form (`parsedDistrictDocument`), bundled as district.json. */
  parsedDistrictFile: string;
  /** The triage classifier's counts from the examples (`countFeatures`), bundled as district.triage.json. */
  triageCountsFile?: string;
  /** Environment shared by every function (claims, Powertools); access-specific names are added by the binds. */
  environment: Record<string, string>;
  tracing: boolean;
}

/**
 * One Lambda function of the district with the house defaults: Node 22 on arm64, ESM bundle with
 * the district file inside, JSON logs in its own log group, a role that can only write those logs
 * until a bind grants it more. Each bind grants the access and sets the env var in one call.
 */
export class XietongFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: XietongFunctionProps) {
    super(scope, id);
    const { spec, projectRoot, districtFile } = props;
    this.spec = spec;
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    // Our own role instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `xietong ${spec.name}`,
    });
    this.logGroup.grantWrite(this.role);

    // What goes beside the bundle: modules installed for Lambda's platform, the district as validated
    // at synth (its catalogue expanded, see parsedDistrictDocument), and the triage examples and the
    // counts the classifier is built from at cold start.
    const besideBundle = (outputDir: string) => {
      for (const command of nativeModuleInstall(spec, projectRoot, outputDir)) {
        execSync(command, { stdio: 'inherit' });
      }
      copyFileSync(props.parsedDistrictFile, join(outputDir, BUNDLED_DISTRICT_FILE));
      if (existsSync(examplesFileFor(districtFile))) {
        copyFileSync(examplesFileFor(districtFile), join(outputDir, examplesFileFor(BUNDLED_DISTRICT_FILE)));
      }
      if (props.triageCountsFile) {
        copyFileSync(props.triageCountsFile, join(outputDir, triageCountsFileFor(BUNDLED_DISTRICT_FILE)));
      }
    };

    this.function = new LambdaFunction(this, 'Function', {
      description: spec.description,
      // esbuild runs in this process (infra/stack/bundling.ts: the entry, and its lazily loaded
      // code split into chunks beside it); the hash is the output's, so an unchanged bundle is not
      // uploaded again. The image is only asked for if local bundling were refused, which it is not.
      code: Code.fromAsset(projectRoot, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
          local: {
            tryBundle: (outputDir: string) => {
              buildSync({
                ...bundleOptionsFor(spec),
                entryPoints: { index: join(projectRoot, spec.entry) },
                outdir: outputDir,
                sourcemap: true,
                sourcesContent: false,
              });
              besideBundle(outputDir);
              return true;
            },
          },
        },
      }),
      handler: `${ENTRY_FILE.replace(/\.mjs$/, '')}.handler`,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: timeoutOf(spec),
      role: this.role,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: { ...props.environment, [ENV.districtFile]: BUNDLED_DISTRICT_FILE },
    });
  }

  /** Grants exactly the table access asked for and tells the function the table's name. */
  bindTable(
    table: CaseTable,
    access: FunctionSpec['access']['table'],
    deletes: FunctionSpec['access']['deletes'] = [],
  ): void {
    if (access === 'none') return;
    table.grantData(this.function, access);
    table.grantDelete(this.function, deletes);
    this.function.addEnvironment(ENV.tableName, table.table.tableName);
  }

  /** Grants the evidence bucket access asked for; an `objectCreated` trigger makes the function the bucket's notification target. */
  bindEvidence(evidence: EvidenceStorage, access: EvidenceAccess, trigger?: ObjectCreatedTrigger): void {
    if (access === 'none' && !trigger) return;
    if (access !== 'none') {
      evidence.grant(this.function, access);
      this.function.addEnvironment(ENV.evidenceBucket, evidence.bucket.bucketName);
    }
    if (trigger) evidence.notify(this.function);
  }

  /** Grants the exports bucket access asked for and tells the function the bucket's name. */
  bindExports(exports: ExportStorage, access: FunctionSpec['access']['exports']): void {
    if (access === undefined || access === 'none') return;
    if (access === 'write') exports.grantWrite(this.function);
    if (access === 'sign') exports.grantSign(this.function);
    if (access === 'jobs') exports.grantJobs(this.function);
    this.function.addEnvironment(ENV.exportsBucket, exports.bucket.bucketName);
  }

  /** The export job queue: the API sends to it; the worker consumes it and sends to it (to continue a job). */
  bindExportJobs(
    queue: WorkQueue,
    access: FunctionSpec['access']['exportJobs'],
    trigger?: QueueTrigger,
  ): void {
    if ((access === undefined || access === 'none') && !trigger) return;
    queue.queue.grantSendMessages(this.function);
    // Consuming also grants ChangeMessageVisibility: the worker sets a failed step's backoff with it.
    if (trigger) queue.consumeWith(this.function, trigger);
    this.function.addEnvironment(ENV.exportQueueUrl, queue.queue.queueUrl);
  }

  /**
   * The table's change stream, case items only (Lambda filters them: the function is not invoked
   * for buckets, claims and the rest). A batch that keeps failing goes to `deadLetters` as a pointer
   * to its records, after the trigger's retryAttempts; `npm run evaluation:rebuild` repairs the
   * figures it would have changed.
   */
  bindCaseChanges(table: ITable, deadLetters: IQueue, trigger: CaseChangesTrigger | undefined): void {
    if (!trigger) return;
    this.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: trigger.batchSize,
        maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
        retryAttempts: trigger.retryAttempts,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(deadLetters),
        filters: [
          FilterCriteria.filter({
            dynamodb: { Keys: { sk: { S: FilterRule.isEqual(CASE_SORT_KEY) } } },
          }),
        ],
      }),
    );
  }

  /** Sending grants SendMessage; a queue trigger wires an event source that reports partial batch failures. */
  bindIntakeQueue(
    queue: IQueue,
    access: FunctionSpec['access']['intakeQueue'],
    trigger?: QueueTrigger,
  ): void {
    if (access === 'none' && !trigger) return;
    if (access === 'send') queue.grantSendMessages(this.function);
    if (trigger) this.function.addEventSource(eventSourceFor(queue, trigger));
    this.function.addEnvironment(ENV.intakeQueueUrl, queue.queueUrl);
  }
}
