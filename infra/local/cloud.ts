import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoIntegrationKeyStore } from '../../shared/adapters/aws/dynamodb-integration-key-store';
import { loadDistrict } from '../../shared/district/load';
import type { DistrictConfig } from '../../shared/district/schema';
import { extendClients, extended } from '../../shared/runtime/clients/extensions';
import { ENV } from '../../shared/runtime/env';
import { FUNCTIONS, type FunctionSpec } from '../../shared/runtime/functions';
import { createBasemapProxy } from './basemap-proxy';
import { seedDistrictCameras } from './cameras';
import { type LocalDeadlinesInfo, startLocalDeadlines } from './deadlines';
import { type DemoIntegration, ensureDemoIntegration } from './demo-integration';
import { ensureTable, startDynalite } from './dynamodb';
import { startLocalExportJobs } from './export-jobs';
import type { FaultRule } from './faults/plan';
import { startFaultInjection } from './faults/start';
import { startGateway } from './gateway';
import { loadFunctions } from './handlers';
import { startIamEnforcement } from './iam/enforcement';
import type { IamMode } from './iam/guard';
import { createLocalIssuer, type IssuedUser, issueDemoTokens, LOCAL_AUDIENCE, LOCAL_ISSUER } from './issuer';
import { LOCAL_REGION } from './lambda-context';
import { acquireDataDirLock } from './lock';
import { createRuntimeLog, type LogLevel } from './log';
import { createLocalOidcProvider } from './oidc-provider';
import { REPO_ROOT } from './paths';
import { startQueuePoller } from './poller';
import { RouteTable } from './routes';
import { startS3rver } from './s3';
import { startS3Notifications } from './s3-notifications';
import { startSchedule } from './scheduler';
import { createIntakeQueues, type LocalQueues, startFauxqs } from './sqs';
import { type StreamMapping, startStreamMapping } from './stream-mapping';
import { skipUnverifiedSigning } from './unsigned-requests';
import { planLocalWiring, unwiredFunctions } from './wiring';

export interface LocalCloudOptions {
  dataDir: string;
  districtFile: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  metrics?: boolean;
  /** Where the entry files of `functions` live (the repository by default). */
  root?: string;
  functions?: FunctionSpec[];
  sweepIntervalMs?: number;
  pollers?: number;
  /** 'oidc': the pages sign in through the local OIDC provider (`oidc-provider.ts`) instead of picking a demo user. */
  auth?: 'local' | 'oidc';
  /** Each function's SDK calls checked against its role in the synthesized stack (default enforce). */
  iam?: IamMode;
  /** AWS's failures injected into the functions' service calls (`--faults`), and the draws' seed. */
  faults?: FaultRule[];
  faultsSeed?: number;
}

/** What tools (the bench, scripts) read from `<data>/local-cloud.json` while the cloud runs. */
export interface LocalCloudInfo {
  url: string;
  pid: number;
  tableName: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  intakeQueueUrl: string;
  dlqUrl: string;
  /** Deadline timers: the local Step Functions endpoint, state machine and queues. */
  deadlines: LocalDeadlinesInfo;
  /** s3rver (on disk under `<data>/s3`) and the evidence bucket. */
  s3Endpoint: string;
  evidenceBucket: string;
  /** dynalite's own process (the bench counts its CPU time beside this one's). */
  dynamodbPid: number;
  /** The export job queue and its DLQ. */
  exportQueueUrl: string;
  exportDlqUrl: string;
}

export interface LocalCloud {
  url: string;
  dataDir: string;
  district: DistrictConfig;
  tableName: string;
  endpoints: { dynamodb: string; sqs: string; s3: string };
  evidenceBucket: string;
  queues: LocalQueues;
  users: IssuedUser[];
  auth: 'local' | 'oidc';
  /** The demo integration key (`GET /local/tokens` → `integrations`). */
  integrations: DemoIntegration[];
  /** The pages of web/ (see web/vite.config.ts) where a build of them is served; none before `npm run build:web`. */
  pages?: { cockpit: string; field: string; citizen: string };
  stop(): Promise<void>;
}

export const INFO_FILE = 'local-cloud.json';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

type ExtraEndpoints = NonNullable<Parameters<typeof startGateway>[0]['extra']>;

/** The local endpoints beside the API (the OIDC provider, the base map's tile path), first match wins. */
const extraEndpoints = (all: (ExtraEndpoints | false | undefined)[]): ExtraEndpoints => {
  const present = all.filter((e): e is ExtraEndpoints => Boolean(e));
  return {
    async handle(request, response) {
      for (const endpoints of present) if (await endpoints.handle(request, response)) return true;
      return false;
    },
  };
};

/**
 * `POST /local/case-changes` with `{"enabled": false}` (or true): turns the evaluation aggregator's
 * event source off or on, as one can on AWS; the answer comes once no batch is in flight. A bench
 * that seeds a backlog no district has times what it measures with the aggregator off, and says so.
 */
const caseChangesSwitch = (mapping: () => StreamMapping | undefined): ExtraEndpoints => ({
  async handle(request, response) {
    if (request.method !== 'POST' || request.url !== '/local/case-changes') return false;
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const { enabled } = JSON.parse(body || '{}') as { enabled?: unknown };
    const target = mapping();
    if (typeof enabled !== 'boolean' || !target) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ message: target ? 'enabled must be true or false' : 'no case-changes mapping' }),
      );
      return true;
    }
    await target.setEnabled(enabled);
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ enabled }));
    return true;
  },
});

/** Claim names of the local issuer's tokens (a deployed district may name them otherwise). */
const CLAIMS = { role: 'role', department: 'department', zone: 'zone' };

/**
 * The handlers read their configuration while their module loads: everything they need must be in
 * process.env before the first `import()` of an entry file.
 */
const configureEnvironment = (values: Record<string, string>) => {
  for (const [name, value] of Object.entries(values)) process.env[name] = value;
};

export const startLocalCloud = async (options: LocalCloudOptions): Promise<LocalCloud> => {
  const log = createRuntimeLog(options.logLevel ?? 'WARN');
  const root = options.root ?? REPO_ROOT;
  const specs = options.functions ?? FUNCTIONS;
  const dataDir = resolve(options.dataDir);
  const districtFile = resolve(options.districtFile);
  const district = loadDistrict(districtFile);

  mkdirSync(dataDir, { recursive: true });
  const lock = await acquireDataDirLock(dataDir);
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error('shutdown step failed', error);
      }
    }
  };

  try {
    const tableName = `xietong-${district.id}`;
    const dynamo = await startDynalite(join(dataDir, 'dynamodb'), tableName);
    lock.addHelperPid(dynamo.pid);
    cleanups.push(() => dynamo.stop());
    const dynamodbClient = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: dynamo.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    cleanups.push(() => dynamodbClient.destroy());
    const table = await ensureTable(dynamodbClient, tableName);
    log.info(`table ${tableName}: ${table}`);
    const cameras = await seedDistrictCameras(dynamodbClient, tableName, district);
    log.info(
      `cameras: ${cameras.imported.length} imported from the district file, ${cameras.kept.length} kept`,
    );

    const fauxqs = await startFauxqs();
    cleanups.push(() => fauxqs.stop());
    // The runtime's own client, also the timers' hand-over to SQS: that call is the state
    // machine's, checked and faulted like a function's (the runtime's own calls are not).
    const sqs = extended(
      new SQSClient({
        region: LOCAL_REGION,
        endpoint: fauxqs.endpoint,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    cleanups.push(() => sqs.destroy());
    const queues = await createIntakeQueues(sqs, fauxqs.endpoint, {
      intake: `xietong-${district.id}-intake`,
      deadLetter: `xietong-${district.id}-intake-dlq`,
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 5,
    });

    const evidenceBucket = `xietong-${district.id}-evidence`;
    const exportsBucket = `xietong-${district.id}-exports`;
    const s3 = await startS3rver({
      directory: join(dataDir, 's3'),
      bucket: evidenceBucket,
      others: [exportsBucket],
      credentials: LOCAL_CREDENTIALS,
    });
    cleanups.push(() => s3.stop());

    const deadlines = await startLocalDeadlines({
      sqs,
      districtId: district.id,
      log,
      credentials: LOCAL_CREDENTIALS,
    });
    cleanups.push(() => deadlines.stop());
    const exportJobs = await startLocalExportJobs({
      sqs,
      endpoint: fauxqs.endpoint,
      districtId: district.id,
      specs,
    });

    configureEnvironment({
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      [ENV.tableName]: tableName,
      [ENV.intakeQueueUrl]: queues.intakeQueueUrl,
      [ENV.districtFile]: districtFile,
      [ENV.trustedIssuer]: LOCAL_ISSUER,
      [ENV.claimRole]: CLAIMS.role,
      [ENV.claimDepartment]: CLAIMS.department,
      [ENV.claimZone]: CLAIMS.zone,
      [ENV.dynamodbEndpoint]: dynamo.endpoint,
      [ENV.sqsEndpoint]: fauxqs.endpoint,
      // Failed subscription deliveries come back after 5 s, 10 s, 20 s… locally (30 s… on AWS).
      [ENV.webhookRetryBaseSeconds]: process.env[ENV.webhookRetryBaseSeconds] ?? '5',
      // Unset: the defaults, as on AWS; the load and crash tests lift them (`off`).
      ...(process.env[ENV.citizenReportsPerMinute] && {
        [ENV.citizenReportsPerMinute]: process.env[ENV.citizenReportsPerMinute],
      }),
      [ENV.s3Endpoint]: s3.endpoint,
      [ENV.evidenceBucket]: evidenceBucket,
      [ENV.exportsBucket]: exportsBucket,
      ...deadlines.environment,
      ...exportJobs.environment,
      POWERTOOLS_SERVICE_NAME: 'xietong',
      POWERTOOLS_METRICS_NAMESPACE: 'Xietong/local',
      POWERTOOLS_METRICS_DISABLED: options.metrics ? 'false' : 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    });
    delete process.env.AWS_PROFILE;

    startIamEnforcement({
      mode: options.iam ?? 'enforce',
      log,
      root,
      district,
      districtFile,
      functions: specs,
      names: {
        tableName,
        intakeQueueUrl: queues.intakeQueueUrl,
        intakeDeadLetterQueueUrl: queues.dlqUrl,
        dueCheckQueueUrl: deadlines.info.dueCheckQueueUrl,
        notificationQueueUrl: deadlines.info.notificationQueueUrl,
        exportQueueUrl: exportJobs.queueUrl,
        exportDeadLetterQueueUrl: exportJobs.dlqUrl,
        stateMachineArn: deadlines.info.stateMachineArn,
        evidenceBucket,
        exportsBucket,
      },
    });
    if (options.faults && options.faults.length > 0) {
      const injection = startFaultInjection({
        rules: options.faults,
        seed: options.faultsSeed ?? 1,
        dataDir,
        log,
      });
      cleanups.push(() => injection.stop());
    }
    extendClients(skipUnverifiedSigning);
    const functions = await loadFunctions(root, specs);

    const issuer = await createLocalIssuer(dataDir, CLAIMS);
    const users = await issueDemoTokens(issuer, district);
    const integrations = [
      await ensureDemoIntegration(
        dataDir,
        new DynamoIntegrationKeyStore({ client: DynamoDBDocumentClient.from(dynamodbClient), tableName }),
        new Date().toISOString(),
      ),
    ];

    const webRoot = join(root, 'web', 'dist');
    /** The aggregator's event source, once the functions are wired (below). */
    let caseChanges: StreamMapping | undefined;
    const gateway = await startGateway({
      port: options.port ?? 3000,
      host: options.host ?? '127.0.0.1',
      routes: new RouteTable(specs),
      functions,
      issuer,
      users: () => users,
      integrations: () => integrations,
      staticRoot: webRoot,
      apiId: 'local',
      log,
      stats: async () => ({
        dynamodb: await dynamo.operations(),
        // Records the evaluation aggregator has not taken yet: its backlog.
        changes: {
          pending: (await dynamo.changes.read(0)).pending,
          enabled: caseChanges?.enabled ?? false,
        },
      }),
      extra: extraEndpoints([
        caseChangesSwitch(() => caseChanges),
        options.auth === 'oidc' &&
          createLocalOidcProvider({ issuer, users: () => users, claims: CLAIMS, clientId: LOCAL_AUDIENCE }),
        district.basemap && createBasemapProxy(district.basemap, log),
      ]),
    });
    cleanups.push(() => gateway.stop());

    // The event sources, rules and notifications of the stack, one per trigger in FUNCTIONS.
    // Routes and the authorizer are the gateway's (above); `startup` jobs run below.
    const pollerQueues = {
      intake: { url: queues.intakeQueueUrl, arn: queues.intakeQueueArn },
      dueChecks: deadlines.queues.dueChecks,
      notifications: deadlines.queues.notifications,
      exportJobs: { url: exportJobs.queueUrl, arn: exportJobs.queueArn },
    };
    for (const wire of planLocalWiring(specs)) {
      const loaded = functions.get(wire.function);
      if (!loaded) throw new Error(`${wire.function} is in the manifest but was not loaded`);
      if (wire.kind === 'poller') {
        const queue = pollerQueues[wire.queue];
        const poller = startQueuePoller({
          sqs,
          queueUrl: queue.url,
          queueArn: queue.arn,
          consumer: loaded,
          log,
          concurrency: options.pollers ?? 2,
          batchSize: wire.batchSize,
          ...(wire.maxBatchingWindowSeconds !== undefined && {
            maxBatchingWindowMs: wire.maxBatchingWindowSeconds * 1000,
          }),
        });
        cleanups.push(() => poller.stop());
      } else if (wire.kind === 'schedule') {
        const schedule = startSchedule({
          target: loaded,
          intervalMs: options.sweepIntervalMs ?? wire.everySeconds * 1000,
          log,
          ...(wire.startDetail && { startDetail: wire.startDetail }),
        });
        cleanups.push(() => schedule.stop());
      } else if (wire.kind === 'caseChanges') {
        const mapping = startStreamMapping({ stream: dynamo.changes, tableName, target: loaded, log });
        caseChanges = mapping;
        cleanups.push(() => mapping.stop());
      } else if (wire.kind === 's3Notifications') {
        const notifications = startS3Notifications({ server: s3, target: loaded, log });
        cleanups.push(() => notifications.stop());
      }
    }
    for (const name of unwiredFunctions(specs)) {
      log.warn(`${name} has no route, queue or schedule: the local cloud never invokes it`);
    }

    // The one `startup` job (rearm-timers' schedule): nothing of the timers survives a restart here.
    if (planLocalWiring(specs).some((wire) => wire.kind === 'startup')) {
      const rearmed = await deadlines.rearm(dynamodbClient, tableName, district);
      log.info(`deadline timers re-armed: ${rearmed.started} of ${rearmed.cases} watched cases`);
    }

    const info: LocalCloudInfo = {
      url: gateway.url,
      pid: process.pid,
      tableName,
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: fauxqs.endpoint,
      intakeQueueUrl: queues.intakeQueueUrl,
      dlqUrl: queues.dlqUrl,
      deadlines: deadlines.info,
      s3Endpoint: s3.endpoint,
      evidenceBucket,
      dynamodbPid: dynamo.pid,
      exportQueueUrl: exportJobs.queueUrl,
      exportDlqUrl: exportJobs.dlqUrl,
    };
    const infoFile = join(dataDir, INFO_FILE);
    writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
    cleanups.push(() => rmSync(infoFile, { force: true }));

    let stopping: Promise<void> | undefined;
    return {
      url: gateway.url,
      dataDir,
      district,
      tableName,
      endpoints: { dynamodb: dynamo.endpoint, sqs: fauxqs.endpoint, s3: s3.endpoint },
      evidenceBucket,
      queues,
      users,
      auth: options.auth ?? 'local',
      integrations,
      ...(existsSync(join(webRoot, 'index.html')) && {
        pages: {
          cockpit: `${gateway.url}/`,
          field: `${gateway.url}/field.html`,
          citizen: `${gateway.url}/report.html`,
        },
      }),
      stop: () => {
        stopping ??= runCleanups();
        return stopping;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
};
