/**
 * `npm start`: the whole district on one machine — dynalite on disk, fauxqs in memory, the handlers
 * behind a local API gateway, the intake queue's event source mapping and the sweep's schedule.
 */
import { parseArgs } from 'node:util';
import { DistrictConfigError } from '../../shared/district/load';
import { NODE_MAJOR } from '../node-runtime';
import { type LocalCloud, startLocalCloud } from './cloud';
import { faultKindsText } from './faults/injector';
import { type FaultRule, parseFaults } from './faults/plan';
import { FunctionLoadError } from './handlers';
import type { IamMode } from './iam/guard';
import { DataDirLockedError } from './lock';
import { LOG_LEVELS, type LogLevel } from './log';

const USAGE = `Usage: npm start -- [options]

  --port N           port of the local API (default 3000; 0 picks a free one)
  --data DIR         data folder: DynamoDB tables, issuer keys, lock (default ./.data)
  --district FILE    district configuration (default districts/sandun.json)
  --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default WARN; INFO logs every request)
  --metrics          emit Powertools metrics (EMF lines on stdout)
  --pollers N        intake-queue batches routed at once (Lambda's concurrency), 1–16 (default 2)
  --auth MODE        how the pages sign in: local (pick a demo user, default) or oidc (through the
                     local OIDC provider at /local/oidc, as on AWS with a real one)
  --iam MODE         each function's SDK calls against its role in the synthesized stack:
                     enforce (default: AccessDenied as on AWS), warn (log only) or off
  --faults SPEC      fail the functions' service calls as AWS does, e.g.
                     dynamodb:throttle=0.05,sqs:500=0.02,s3:SlowDown=5% (or *=0.05: each
                     service's usual failure). Kinds: ${faultKindsText()}
  --faults-seed N    seed of the fault draws (default 1): the same seed, the same sequence
  -h, --help         show this help
`;

interface CliOptions {
  port: number;
  dataDir: string;
  districtFile: string;
  logLevel: LogLevel;
  metrics: boolean;
  pollers: number;
  auth: 'local' | 'oidc';
  iam: IamMode;
  faults: FaultRule[];
  faultsSeed: number;
}

class UsageError extends Error {}

const CLI_OPTIONS = {
  port: { type: 'string' },
  data: { type: 'string' },
  district: { type: 'string' },
  'log-level': { type: 'string' },
  metrics: { type: 'boolean' },
  pollers: { type: 'string' },
  auth: { type: 'string' },
  iam: { type: 'string' },
  faults: { type: 'string' },
  'faults-seed': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const parseCli = (argv: string[]): CliOptions | 'help' => {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof CLI_OPTIONS; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: CLI_OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const portText = values.port ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, not "${portText}"`);
  }
  const logLevel = (values['log-level'] ?? 'WARN').toUpperCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${values['log-level']}"`);
  }
  const pollersText = values.pollers ?? '2';
  const pollers = Number(pollersText);
  if (!/^\d+$/.test(pollersText) || pollers < 1 || pollers > 16) {
    throw new UsageError(`--pollers must be an integer from 1 to 16, not "${pollersText}"`);
  }
  const auth = values.auth ?? 'local';
  if (auth !== 'local' && auth !== 'oidc')
    throw new UsageError(`--auth must be local or oidc, not "${auth}"`);
  const iam = values.iam ?? 'enforce';
  if (iam !== 'enforce' && iam !== 'warn' && iam !== 'off') {
    throw new UsageError(`--iam must be enforce, warn or off, not "${iam}"`);
  }
  let faults: FaultRule[];
  try {
    faults = parseFaults(values.faults ?? '');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const seedText = values['faults-seed'] ?? '1';
  if (!/^\d+$/.test(seedText))
    throw new UsageError(`--faults-seed must be a whole number, not "${seedText}"`);
  if (values.data === '') throw new UsageError('--data needs a folder');
  if (values.district === '') throw new UsageError('--district needs a file');
  return {
    port,
    dataDir: values.data ?? './.data',
    districtFile: values.district ?? 'districts/sandun.json',
    logLevel,
    metrics: values.metrics ?? false,
    pollers,
    auth,
    iam,
    faults,
    faultsSeed: Number(seedText),
  };
};

const banner = (cloud: LocalCloud) => {
  const { url, district } = cloud;
  const chief = cloud.users.find((user) => user.role === 'area_chief');
  return `
  协同 xietong local cloud is running

  API        ${url}
${
  cloud.pages
    ? `  cockpit    ${cloud.pages.cockpit}\n  field page ${cloud.pages.field}\n  citizens   ${cloud.pages.citizen}\n`
    : '  pages      not built (npm run build:web builds the cockpit, the field page and the citizens’ page)\n'
}  district   ${district.name.zh} / ${district.name.en} (${district.id}), ${district.zones.length} zones, ${district.categories.length} categories
  data       ${cloud.dataDir}
  DynamoDB   ${cloud.endpoints.dynamodb} (table ${cloud.tableName})
  SQS        ${cloud.endpoints.sqs}
  S3         ${cloud.endpoints.s3} (evidence bucket ${cloud.evidenceBucket}, files under ${cloud.dataDir}/s3)

  Get a token (users per role: reporter, command_centre, admin, area_chief, department_staff, field_worker):
    TOKEN=$(curl -s ${url}/local/tokens | jq -r '.users[] | select(.role=="command_centre") | .token')
${chief ? `    # or an area chief: select(.role=="area_chief" and .zone=="${chief.zone}")\n` : ''}
  Then, for example:
    curl -s -H "Authorization: Bearer $TOKEN" '${url}/v1/cases?limit=5' | jq

${cloud.auth === 'oidc' ? `  Sign-in    OIDC (code + PKCE) through ${url}/local/oidc (discovery: /local/oidc/.well-known/openid-configuration)\n\n` : ''}  Ctrl-C stops it; the data stays in ${cloud.dataDir}.
`;
};

/** How long a stop after an uncaught exception may take before the process just exits. */
const STOP_AFTER_FAILURE_MS = 15_000;

const main = async () => {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }

  // npm start runs on node_modules/.bin/node; started another way (or where that package is skipped),
  // the handlers would run on a Node that Lambda does not: say so, since behaviour can differ.
  if (Number(process.versions.node.split('.')[0]) !== NODE_MAJOR) {
    process.stderr.write(
      `warning: the local cloud runs on Node ${process.version}, Lambda on Node ${NODE_MAJOR}: start it with npm start, or install Node ${NODE_MAJOR}\n`,
    );
  }

  let cloud: LocalCloud;
  try {
    cloud = await startLocalCloud(options);
  } catch (error) {
    if (error instanceof DistrictConfigError || error instanceof DataDirLockedError) {
      process.stderr.write(`${error.message}\n`);
    } else if (error instanceof FunctionLoadError) {
      process.stderr.write(`${error.message}\n`);
      if (options.logLevel === 'DEBUG' || options.logLevel === 'TRACE') {
        for (const failure of error.failures) process.stderr.write(`${String(failure.error)}\n`);
      }
    } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`port ${options.port} is in use: pass --port N (or --port 0 for a free one)\n`);
    } else {
      process.stderr.write(`the local cloud failed to start: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exit(1);
  }

  process.stdout.write(banner(cloud));

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals | 'parent gone') => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`${signal} again: exiting without a clean shutdown\n`);
      process.exit(1);
    }
    process.stderr.write(`${signal}: stopping the local cloud…\n`);
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Started by a bench or a test (infra/local/spawn.ts, over an IPC channel): stop with it. A bench
  // that crashed before stopping its cloud once left it running at three quarters of a core, under
  // the next full bench.
  if (process.connected) {
    process.once('disconnect', () => shutdown('parent gone'));
    process.channel?.unref();
  }
  // With the parent gone its pipes are too: a log line must not become an uncaught exception.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  // Lambda fails the invocation and recycles the environment; here one stray promise should not
  // take the whole district down, but it must be seen.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(
      `unhandled promise rejection (a handler bug?): ${(reason as Error)?.stack ?? String(reason)}\n`,
    );
  });
  let failed = false;
  process.on('uncaughtException', (error) => {
    process.stderr.write(`uncaught exception: ${error.stack ?? String(error)}\n`);
    // Once: another exception while stopping must not start another stop, nor a stop that hangs keep it up.
    if (failed) return;
    failed = true;
    setTimeout(() => process.exit(1), STOP_AFTER_FAILURE_MS).unref();
    cloud.stop().finally(() => process.exit(1));
  });
};

await main();
