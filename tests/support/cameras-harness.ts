import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { makeHandler as makeCamerasHandler } from '../../functions/cameras/app';
import { DynamoCameraStore } from '../../shared/adapters/aws/dynamodb-camera-store';
import { DynamoIntegrationKeyStore } from '../../shared/adapters/aws/dynamodb-integration-key-store';
import { DynamoRateLimiter } from '../../shared/adapters/aws/dynamodb-rate-limiter';
import { DynamoSeenSignatures } from '../../shared/adapters/aws/dynamodb-seen-signatures';
import { HttpSnapshotFetcher } from '../../shared/adapters/http/snapshot-fetcher';
import type { DistrictIndex } from '../../shared/domain/district-index';
import { KEY_ID_HEADER, signatureHeaders } from '../../shared/domain/signature';
import type { CaseStore, Clock, EvidenceBucket, ReportQueue, SnapshotFetcher } from '../../shared/ports';
import { type ApiCall, apiEvent, lambdaContext } from './api-event';
import { claimsFor, type Reply, sandun, TEST_ISSUER } from './cases-harness';
import type { Emulators } from './emulators';
import { asFunction } from './iam';
import { adminClaims } from './keys-harness';

/** How a test signs a camera alert: the key's id and signing secret, and optionally when. */
export interface AlertSigner {
  keyId: string;
  secret: string;
  /** Signing instant in ms (default: the harness clock). */
  at?: number;
  /** Headers to add or override (a forged signature, a missing one). */
  headers?: Record<string, string>;
}

/**
 * The cameras function wired to the emulators' table, sharing the cases harness's store, queue and
 * clock, and an evidence bucket (s3rver) for the alerts' snapshots.
 */
export const camerasHarness = (
  emulators: Emulators,
  deps: {
    store: CaseStore;
    queue: ReportQueue;
    clock: Clock;
    bucket: EvidenceBucket;
    district?: DistrictIndex;
    snapshots?: SnapshotFetcher;
  },
) => {
  const tables = { client: emulators.documents, tableName: emulators.tableName };
  const cameras = new DynamoCameraStore(tables);
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  const handler = asFunction(
    'cameras',
    makeCamerasHandler({
      cameras,
      store: deps.store,
      queue: deps.queue,
      clock: deps.clock,
      district: deps.district ?? sandun,
      identity,
      keys: new DynamoIntegrationKeyStore(tables),
      seen: new DynamoSeenSignatures(tables),
      rateLimiter: new DynamoRateLimiter(tables),
      bucket: deps.bucket,
      snapshots: deps.snapshots ?? new HttpSnapshotFetcher(),
    }),
  );
  const invoke = async (call: ApiCall): Promise<Reply> => {
    const result = (await handler(apiEvent(call), lambdaContext())) as APIGatewayProxyStructuredResultV2;
    return {
      status: result.statusCode ?? 200,
      headers: (result.headers ?? {}) as Record<string, string>,
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  };
  return {
    cameras,
    register: (body: unknown, claims: Record<string, string> = adminClaims()) =>
      invoke({ routeKey: 'POST /v1/cameras', body, claims }),
    replace: (id: string, body: unknown, claims: Record<string, string> = adminClaims()) =>
      invoke({
        routeKey: 'PUT /v1/cameras/{id}',
        path: `/v1/cameras/${id}`,
        pathParameters: { id },
        body,
        claims,
      }),
    remove: (id: string, claims: Record<string, string> = adminClaims()) =>
      invoke({
        routeKey: 'DELETE /v1/cameras/{id}',
        path: `/v1/cameras/${id}`,
        pathParameters: { id },
        claims,
      }),
    importDistrict: (claims: Record<string, string> = adminClaims()) =>
      invoke({ routeKey: 'POST /v1/cameras/import', claims }),
    list: (query: Record<string, string> = {}, claims: Record<string, string> = claimsFor.commandCentre()) =>
      invoke({ routeKey: 'GET /v1/cameras', query, claims }),
    nearCase: (
      id: string,
      query: Record<string, string> = {},
      claims: Record<string, string> = claimsFor.commandCentre(),
    ) =>
      invoke({
        routeKey: 'GET /v1/cases/{id}/cameras',
        path: `/v1/cases/${id}/cameras`,
        pathParameters: { id },
        query,
        claims,
      }),
    /** A camera alert as the gateway passes it on (public route): signed by `signer`, or not at all. */
    alert: (body: unknown, signer: AlertSigner | undefined) => {
      const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
      const signed = signer
        ? {
            [KEY_ID_HEADER]: signer.keyId,
            ...signatureHeaders(signer.secret, rawBody, signer.at ?? Date.parse(deps.clock.now())),
          }
        : {};
      return invoke({
        routeKey: 'POST /v1/integrations/cameras/alerts',
        rawBody,
        headers: { ...signed, ...signer?.headers },
      });
    },
  };
};
