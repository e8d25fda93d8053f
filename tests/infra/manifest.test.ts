import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp } from '../../infra/district-app';
import { RouteTable } from '../../infra/local/routes';
import { planLocalWiring, unwiredFunctions } from '../../infra/local/wiring';
import {
  API_KEY_HEADER,
  authOf,
  FUNCTIONS,
  type FunctionSpec,
  type QueueName,
  rateExpression,
  type Trigger,
} from '../../shared/runtime/functions';
import { type CfnResource, resourcesOf, type TestApp, testApp } from './synth';

// The manifest (FUNCTIONS) is the one place that says what invokes each function: the stack and
// the local cloud must each wire exactly what it declares, no more and no less.

let synth: TestApp;
let template: Template;

beforeAll(() => {
  synth = testApp({ nag: false });
  template = Template.fromStack(buildDistrictApp(synth.app, { district: 'sandun' }));
});
afterAll(() => synth.dispose());

/** The stack's queues, by the logical id the WorkQueue constructs give them. */
const QUEUE_IDS: Record<QueueName, string> = {
  intake: 'IntakeQueue',
  dueChecks: 'TimersDueChecksQueue',
  notifications: 'TimersNotificationsQueue',
  exportJobs: 'ExportJobsQueue',
};

/** One line per route or trigger, the same for what is declared and what is found. */
const declaredOnAws = (spec: FunctionSpec): string[] => [
  ...spec.routes.map((route) => `route ${route.method} ${route.path} ${authOf(route)}`),
  ...(spec.triggers ?? []).map((trigger: Trigger) => {
    switch (trigger.kind) {
      case 'queue':
        return `queue ${trigger.queue} batch=${trigger.batchSize} window=${trigger.maxBatchingWindowSeconds ?? '-'} concurrency=${trigger.maxConcurrency ?? '-'}`;
      case 'schedule':
        return `schedule ${rateExpression(trigger)}`;
      case 'objectCreated':
        return `objectCreated ${trigger.bucket}`;
      case 'authorizer':
        return `authorizer ${trigger.auth}`;
      case 'caseChanges':
        return `caseChanges batch=${trigger.batchSize} window=${trigger.maxBatchingWindowSeconds} retries=${trigger.retryAttempts}`;
    }
    return 'unknown';
  }),
];

const functionIdOf = (spec: FunctionSpec): string => {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties.Description === spec.description,
  );
  expect(found, `one function for ${spec.name}`).toHaveLength(1);
  return found[0]![0];
};

const getAttOf = (value: unknown): string | undefined =>
  (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

const AUTH_OF_TYPE: Record<string, string> = { JWT: 'jwt', CUSTOM: 'apiKey', NONE: 'none' };

/** Everything in the template that invokes the function. */
const foundOnAws = (functionId: string): string[] => {
  const found: string[] = [];
  const integrations = new Set(
    resourcesOf(template, 'AWS::ApiGatewayV2::Integration')
      .filter(([, integration]) => getAttOf(integration.Properties.IntegrationUri) === functionId)
      .map(([id]) => id),
  );
  for (const [, route] of resourcesOf(template, 'AWS::ApiGatewayV2::Route')) {
    if (![...integrations].some((id) => mentions(route.Properties.Target, id))) continue;
    const auth = AUTH_OF_TYPE[String(route.Properties.AuthorizationType ?? 'NONE')];
    found.push(`route ${String(route.Properties.RouteKey)} ${auth}`);
  }
  for (const [, authorizer] of resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer')) {
    if (authorizer.Properties.AuthorizerType !== 'REQUEST') continue;
    if (!mentions(authorizer.Properties.AuthorizerUri, functionId)) continue;
    expect(authorizer.Properties.IdentitySource).toEqual([`$request.header.${API_KEY_HEADER}`]);
    found.push('authorizer apiKey');
  }
  for (const [, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
    const props = mapping.Properties;
    if ((props.FunctionName as { Ref?: string }).Ref !== functionId) continue;
    const [sourceId, attribute] = (props.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    if (attribute === 'StreamArn') {
      found.push(
        `caseChanges batch=${props.BatchSize} window=${props.MaximumBatchingWindowInSeconds} retries=${props.MaximumRetryAttempts}`,
      );
      continue;
    }
    const queue = Object.entries(QUEUE_IDS).find(([, prefix]) => sourceId.startsWith(prefix))?.[0];
    expect(props.FunctionResponseTypes, `${sourceId} reports partial batch failures`).toEqual([
      'ReportBatchItemFailures',
    ]);
    const concurrency = (props.ScalingConfig as { MaximumConcurrency?: number } | undefined)
      ?.MaximumConcurrency;
    found.push(
      `queue ${queue ?? sourceId} batch=${props.BatchSize} window=${props.MaximumBatchingWindowInSeconds ?? '-'} concurrency=${concurrency ?? '-'}`,
    );
  }
  for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
    const targets = rule.Properties.Targets as { Arn: unknown }[];
    if (targets.some((target) => getAttOf(target.Arn) === functionId)) {
      found.push(`schedule ${String(rule.Properties.ScheduleExpression)}`);
    }
  }
  const notifications = resourcesOf(template, 'Custom::S3BucketNotifications') as [string, CfnResource][];
  for (const [, notification] of notifications) {
    const configurations = (
      notification.Properties.NotificationConfiguration as {
        LambdaFunctionConfigurations?: { Events: string[]; LambdaFunctionArn: unknown }[];
      }
    ).LambdaFunctionConfigurations;
    const mine = (configurations ?? []).filter((c) => getAttOf(c.LambdaFunctionArn) === functionId);
    if (mine.length === 0) continue;
    expect(mine.flatMap((c) => c.Events)).toEqual(mine.map(() => 's3:ObjectCreated:*'));
    const bucket = (notification.Properties.BucketName as { Ref: string }).Ref;
    found.push(`objectCreated ${bucket.startsWith('EvidenceBucket') ? 'evidence' : bucket}`);
  }
  return found.sort();
};

describe('the function manifest', () => {
  it('the stack wires exactly the routes and triggers each function declares', () => {
    for (const spec of FUNCTIONS) {
      expect(foundOnAws(functionIdOf(spec)), spec.name).toEqual(declaredOnAws(spec).sort());
    }
  });

  it('the local cloud wires exactly the triggers each function declares', () => {
    const wires = planLocalWiring(FUNCTIONS);
    for (const spec of FUNCTIONS) {
      const mine = wires.filter((wire) => wire.function === spec.name);
      const expected = (spec.triggers ?? []).map((trigger) => {
        switch (trigger.kind) {
          case 'queue':
            return {
              kind: 'poller',
              function: spec.name,
              queue: trigger.queue,
              batchSize: trigger.batchSize,
              ...(trigger.maxBatchingWindowSeconds !== undefined && {
                maxBatchingWindowSeconds: trigger.maxBatchingWindowSeconds,
              }),
            };
          case 'schedule':
            return trigger.local === 'startup'
              ? { kind: 'startup', function: spec.name }
              : {
                  kind: 'schedule',
                  function: spec.name,
                  everySeconds: trigger.local.everySeconds,
                  ...(trigger.local.startDetail && { startDetail: trigger.local.startDetail }),
                };
          case 'objectCreated':
            return { kind: 's3Notifications', function: spec.name, bucket: trigger.bucket };
          case 'authorizer':
            return { kind: 'authorizer', function: spec.name, auth: trigger.auth };
          case 'caseChanges':
            return { kind: 'caseChanges', function: spec.name };
        }
        return undefined;
      });
      const routes =
        spec.routes.length > 0 ? [{ kind: 'routes', function: spec.name, routes: spec.routes.length }] : [];
      expect(mine, spec.name).toEqual([...routes, ...expected]);
    }
    // The gateway serves every declared route, each with the function that declares it.
    const served = new RouteTable(FUNCTIONS).all.map(
      (compiled) => `${compiled.spec.name} ${compiled.routeKey}`,
    );
    expect(served.sort()).toEqual(
      FUNCTIONS.flatMap((spec) =>
        spec.routes.map((route) => `${spec.name} ${route.method} ${route.path}`),
      ).sort(),
    );
    expect(unwiredFunctions(FUNCTIONS)).toEqual([]);
  });

  it('every schedule says what the local cloud does with it, and one function authorizes apiKey routes', () => {
    const schedules = FUNCTIONS.flatMap((spec) =>
      (spec.triggers ?? [])
        .filter((trigger) => trigger.kind === 'schedule')
        .map((trigger) => [spec.name, trigger]),
    );
    expect(schedules.length).toBeGreaterThan(0);
    const authorizers = planLocalWiring(FUNCTIONS).filter((wire) => wire.kind === 'authorizer');
    const apiKeyRoutes = FUNCTIONS.flatMap((spec) => spec.routes).filter(
      (route) => authOf(route) === 'apiKey',
    );
    expect(authorizers).toHaveLength(apiKeyRoutes.length > 0 ? 1 : 0);
  });
});
