import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makeHandler as makeCasesHandler } from '../../functions/cases/app';
import { makeHandler as makeIntakeHandler } from '../../functions/intake/app';
import { makeHandler as makeRouterHandler } from '../../functions/route-reports/app';
import { messagesToDelete, toSqsRecord } from '../../infra/local/poller';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoDedupClaims } from '../../shared/adapters/aws/dynamodb-dedup-claims';
import { DynamoRateLimiter } from '../../shared/adapters/aws/dynamodb-rate-limiter';
import { DynamoTriageFeedbackStore } from '../../shared/adapters/aws/dynamodb-triage-feedback-store';
import { SqsReportQueue } from '../../shared/adapters/aws/sqs-report-queue';
import { loadExamples } from '../../shared/district/examples';
import { loadDistrict } from '../../shared/district/load';
import type { Zone } from '../../shared/district/schema';
import { train } from '../../shared/domain/classifier/model';
import { indexDistrict } from '../../shared/domain/district-index';
import type { CaseStore, Clock, EvaluationAggregates } from '../../shared/ports';
import type { CaseEffects } from '../../shared/usecases/case-effects';
import { CellCandidates } from '../../shared/usecases/cell-candidates';
import type { RouteReportDeps } from '../../shared/usecases/route-report';
import { type ApiCall, apiEvent, lambdaContext } from './api-event';
import { feedCaseChanges } from './case-changes';
import type { Emulators } from './emulators';
import { asFunction } from './iam';

export const sandun = indexDistrict(loadDistrict('districts/sandun.json'));

/** The triage classifier as the router builds it at cold start. */
export const sandunTriageModel = train(sandun, loadExamples('districts/sandun.examples.json', sandun.config));

/** A clock the test moves by hand. */
export const testClock = (start = '2026-11-30T01:00:00.000Z') => {
  let current = Date.parse(start);
  const clock: Clock & { advanceMinutes(minutes: number): void; set(iso: string): void } = {
    now: () => new Date(current).toISOString(),
    advanceMinutes: (minutes) => {
      current += minutes * 60_000;
    },
    set: (iso) => {
      current = Date.parse(iso);
    },
  };
  return clock;
};

/** A point well inside the zone: the mean of its outer ring's corners (the zones are convex). */
export const insideZone = (zone: Zone) => {
  const ring = zone.boundary.coordinates[0]!.slice(0, -1);
  return {
    lat: ring.reduce((sum, [, lat]) => sum + lat, 0) / ring.length,
    lng: ring.reduce((sum, [lng]) => sum + lng, 0) / ring.length,
  };
};

export const TEST_ISSUER = 'urn:xietong:test';

const token = (claims: Record<string, string>) => ({ iss: TEST_ISSUER, ...claims });

/**
 * Successive points inside the zone, ~120 m apart on a grid around its middle: reports at
 * different points are different events, so tests that want separate cases don't get them merged.
 */
export const distinctPointsIn = (zone: Zone) => {
  const centre = insideZone(zone);
  let next = 0;
  return () => {
    const i = next++;
    return {
      lat: centre.lat + ((i % 9) - 4) * 0.0011,
      lng: centre.lng + ((Math.floor(i / 9) % 9) - 4) * 0.0013,
    };
  };
};

export const claimsFor = {
  reporter: (subject = 'citizen-1') => token({ sub: subject, role: 'reporter', name: '市民' }),
  commandCentre: () =>
    token({ sub: 'cc-1', role: 'command_centre', department: 'command-centre', name: '指挥员' }),
  areaChief: (zone: string) =>
    token({ sub: `chief-${zone}`, role: 'area_chief', zone, department: 'urban-management' }),
  staff: (department: string) => token({ sub: `staff-${department}`, role: 'department_staff', department }),
  fieldWorker: (department: string) =>
    token({ sub: `field-${department}`, role: 'field_worker', department }),
};

export interface Reply {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON replies
  body: any;
}

/** Calls an HTTP function with an API Gateway event, as the gateway would, and reads its JSON reply. */
export const invoke = async (
  handler: (event: never, context: never) => Promise<APIGatewayProxyStructuredResultV2>,
  call: ApiCall,
): Promise<Reply> => {
  const result = await handler(apiEvent(call) as never, lambdaContext() as never);
  const headers = (result.headers ?? {}) as Record<string, string>;
  return {
    status: result.statusCode ?? 200,
    headers,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
};

/**
 * The intake, cases and router functions wired to the emulators, with a hand-moved clock. With
 * `aggregates` the table's change stream feeds them through the aggregate-cases function, and every
 * write returns once they have it (see case-changes.ts);
 * `effects` are what the cases function does after a save (timers, notifications).
 */
export const casesHarness = (
  emulators: Emulators,
  options: { aggregates?: EvaluationAggregates; effects?: CaseEffects } = {},
) => {
  const clock = testClock();
  const tableStore = new DynamoCaseStore({ client: emulators.documents, tableName: emulators.tableName });
  const changes = options.aggregates && feedCaseChanges(emulators, options.aggregates);
  const store: CaseStore = changes ? changes.caughtUp(tableStore) : tableStore;
  const queue = new SqsReportQueue({ client: emulators.sqs, queueUrl: emulators.queues.intakeQueueUrl });
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  const rateLimiter = new DynamoRateLimiter({ client: emulators.documents, tableName: emulators.tableName });
  const intake = asFunction(
    'intake',
    makeIntakeHandler({ store, queue, district: sandun, clock, identity, rateLimiter }),
  );
  const triageFeedback = new DynamoTriageFeedbackStore({
    client: emulators.documents,
    tableName: emulators.tableName,
  });
  const cases = asFunction(
    'cases',
    makeCasesHandler({
      store,
      district: sandun,
      clock,
      identity,
      triageFeedback,
      rateLimiter,
      ...(options.effects && { effects: options.effects }),
    }),
  );
  const claims = new DynamoDedupClaims({ client: emulators.documents, tableName: emulators.tableName });
  // Set by a test that has an evidence bucket (camera snapshots join their report's case).
  let placeSnapshot: RouteReportDeps['placeSnapshot'];
  const router = asFunction(
    'route-reports',
    makeRouterHandler({
      store,
      claims,
      district: sandun,
      clock,
      triageModel: sandunTriageModel,
      // As the handler builds it: the memory of cells lives as long as the function's container.
      cells: new CellCandidates(),
      placeSnapshot: (report, correlationId) => placeSnapshot?.(report, correlationId) ?? Promise.resolve(),
    }),
  );

  /** Feeds everything in the intake queue through the router, as the event source mapping would. */
  const drainQueue = async (): Promise<SQSBatchResponse[]> => {
    const responses: SQSBatchResponse[] = [];
    for (;;) {
      const { Messages = [] } = await emulators.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: emulators.queues.intakeQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return responses;
      const event: SQSEvent = {
        Records: Messages.map((m) => toSqsRecord(m, emulators.queues.intakeQueueArn)),
      };
      const response = (await router(event, lambdaContext())) as SQSBatchResponse;
      responses.push(response);
      for (const record of messagesToDelete(event.Records, response)) {
        await emulators.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: emulators.queues.intakeQueueUrl,
            ReceiptHandle: record.receiptHandle,
          }),
        );
      }
      if (response.batchItemFailures.length > 0) return responses;
    }
  };

  return {
    clock,
    store,
    /** The change stream feeding the aggregates (with `aggregates`). */
    changes,
    queue,
    triageFeedback,
    router,
    drainQueue,
    /** What the router does once a report is in a case (the production router places camera snapshots). */
    usePlaceSnapshot: (hook: RouteReportDeps['placeSnapshot']) => {
      placeSnapshot = hook;
    },
    report: (
      body: unknown,
      claims: Record<string, string> = claimsFor.fieldWorker('joint-team'),
      headers: Record<string, string> = {},
    ) => invoke(intake, { routeKey: 'POST /v1/cases', body, claims, headers }),
    intakeRaw: (call: Omit<ApiCall, 'routeKey'>) => invoke(intake, { routeKey: 'POST /v1/cases', ...call }),
    /** A machine report, as the key authorizer lets it through with its context. */
    integrationReport: (
      body: unknown,
      context: Record<string, unknown> | undefined,
      headers: Record<string, string> = {},
    ) =>
      invoke(intake, {
        routeKey: 'POST /v1/integrations/reports',
        body,
        headers,
        ...(context && { lambda: context }),
      }),
    get: (id: string, claims: Record<string, string> = claimsFor.commandCentre()) =>
      invoke(cases, {
        routeKey: 'GET /v1/cases/{id}',
        path: `/v1/cases/${id}`,
        pathParameters: { id },
        claims,
      }),
    audit: (id: string, claims: Record<string, string> = claimsFor.commandCentre()) =>
      invoke(cases, {
        routeKey: 'GET /v1/cases/{id}/audit',
        path: `/v1/cases/${id}/audit`,
        pathParameters: { id },
        claims,
      }),
    list: (query: Record<string, string>, claims: Record<string, string> = claimsFor.commandCentre()) =>
      invoke(cases, { routeKey: 'GET /v1/cases', query, claims }),
    /** The reporter's verdict (回访) on a case. */
    satisfaction: (id: string, body: unknown, claims: Record<string, string>) =>
      invoke(cases, {
        routeKey: 'POST /v1/cases/{id}/satisfaction',
        path: `/v1/cases/${id}/satisfaction`,
        pathParameters: { id },
        body,
        claims,
      }),
    /** A 12345 ticket, as the key authorizer lets it through with its context. */
    hotlineTicket: (body: unknown, context: Record<string, unknown> | undefined) =>
      invoke(intake, {
        routeKey: 'POST /v1/integrations/hotline/tickets',
        body,
        ...(context && { lambda: context }),
      }),
    /** A 12345 callback result, with the ticket key's context. */
    hotlineCallback: (body: unknown, context: Record<string, unknown> | undefined) =>
      invoke(cases, {
        routeKey: 'POST /v1/integrations/hotline/callbacks',
        body,
        ...(context && { lambda: context }),
      }),
    command: (id: string, command: string, body: unknown, claims: Record<string, string>) =>
      invoke(cases, {
        routeKey: `POST /v1/cases/{id}/${command}`,
        path: `/v1/cases/${id}/${command}`,
        pathParameters: { id },
        body,
        claims,
      }),
  };
};
