import type { APIGatewayProxyStructuredResultV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { makeHandler as makeKeysHandler } from '../../functions/integration-keys/app';
import {
  type KeyAuthorizerResult,
  makeHandler as makeAuthorizerHandler,
} from '../../functions/key-authorizer/app';
import { DynamoIntegrationKeyStore } from '../../shared/adapters/aws/dynamodb-integration-key-store';
import type { Clock } from '../../shared/ports';
import { type ApiCall, apiEvent, lambdaContext } from './api-event';
import type { Reply } from './cases-harness';
import { TEST_ISSUER } from './cases-harness';
import type { Emulators } from './emulators';
import { asFunction } from './iam';

export const adminClaims = (subject = 'admin-1') => ({
  iss: TEST_ISSUER,
  sub: subject,
  role: 'admin',
  name: '管理员',
});

/** The event an HTTP API hands the key authorizer (payload 2.0) for the machine intake route. */
export const authorizerEvent = (apiKey: string | undefined): APIGatewayRequestAuthorizerEventV2 => {
  const { requestContext } = apiEvent({ routeKey: 'POST /v1/integrations/reports' });
  const { authorizer: _none, ...withoutAuthorizer } = requestContext;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:test/$default/POST/v1/integrations/reports',
    identitySource: apiKey === undefined ? [] : [apiKey],
    routeKey: 'POST /v1/integrations/reports',
    rawPath: '/v1/integrations/reports',
    rawQueryString: '',
    cookies: [],
    headers: { 'content-type': 'application/json', ...(apiKey !== undefined && { 'x-api-key': apiKey }) },
    requestContext: withoutAuthorizer,
  };
};

/** The integration-keys function and the key authorizer wired to the emulators' table. */
export const keysHarness = (emulators: Emulators, clock: Clock) => {
  const keys = new DynamoIntegrationKeyStore({ client: emulators.documents, tableName: emulators.tableName });
  const identity = { issuer: TEST_ISSUER, claims: { role: 'role', department: 'department', zone: 'zone' } };
  const handler = asFunction('integration-keys', makeKeysHandler({ keys, clock, identity }));
  const authorizer = asFunction('key-authorizer', makeAuthorizerHandler({ keys }));

  const invoke = async (call: ApiCall): Promise<Reply> => {
    const result = (await handler(apiEvent(call), lambdaContext())) as APIGatewayProxyStructuredResultV2;
    return {
      status: result.statusCode ?? 200,
      headers: (result.headers ?? {}) as Record<string, string>,
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  };

  return {
    keys,
    create: (body: unknown, claims: Record<string, string> = adminClaims()) =>
      invoke({ routeKey: 'POST /v1/integration-keys', body, claims }),
    list: (claims: Record<string, string> = adminClaims()) =>
      invoke({ routeKey: 'GET /v1/integration-keys', claims }),
    revoke: (id: string, claims: Record<string, string> = adminClaims(), body?: unknown) =>
      invoke({
        routeKey: 'POST /v1/integration-keys/{id}/revoke',
        path: `/v1/integration-keys/${id}/revoke`,
        pathParameters: { id },
        claims,
        ...(body !== undefined && { body }),
      }),
    authorize: async (apiKey: string | undefined) =>
      (await authorizer(authorizerEvent(apiKey), lambdaContext())) as KeyAuthorizerResult,
  };
};
