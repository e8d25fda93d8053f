import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { makeHandler as makeCamerasHandler } from '../../functions/cameras/app';
import { DynamoCameraStore } from '../../shared/adapters/aws/dynamodb-camera-store';
import type { DistrictIndex } from '../../shared/domain/district-index';
import type { CaseStore, Clock } from '../../shared/ports';
import { type ApiCall, apiEvent, lambdaContext } from './api-event';
import { claimsFor, type Reply, sandun, TEST_ISSUER } from './cases-harness';
import type { Emulators } from './emulators';
import { adminClaims } from './keys-harness';

/** The cameras function wired to the emulators' table, sharing the cases harness's store and clock. */
export const camerasHarness = (
  emulators: Emulators,
  deps: { store: CaseStore; clock: Clock; district?: DistrictIndex },
) => {
  const cameras = new DynamoCameraStore({ client: emulators.documents, tableName: emulators.tableName });
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  const handler = makeCamerasHandler({
    cameras,
    store: deps.store,
    clock: deps.clock,
    district: deps.district ?? sandun,
    identity,
  });
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
  };
};
