import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingAreaOf } from '../../shared/domain/routing-area';
import { casesHarness, claimsFor, distinctPointsIn, sandun, TEST_ISSUER } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

const nextPoint = distinctPointsIn(sandun.zone('gudun')!);
const valid = () => ({
  source: 'patrol',
  category: 'event.garbage-overflow',
  description: '垃圾桶满溢',
  location: { ...nextPoint(), crs: 'wgs84' },
});

/** Counting items with a scan is fine in a test: it proves nothing was half-written. */
const itemCount = async () =>
  (await emulators.documents.send(new ScanCommand({ TableName: emulators.tableName, Select: 'COUNT' })))
    .Count ?? 0;

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

describe('bad input gets a 4xx problem naming the field and the rule', () => {
  const cases: [string, () => Promise<Awaited<ReturnType<typeof api.report>>>, number, string, string][] = [
    [
      'malformed JSON',
      () => api.intakeRaw({ rawBody: '{"source": "patrol",', claims: claimsFor.commandCentre() }),
      400,
      'body',
      'json',
    ],
    [
      'a JSON array',
      () => api.intakeRaw({ rawBody: '[1,2]', claims: claimsFor.commandCentre() }),
      400,
      'body',
      'object',
    ],
    [
      'not JSON at all',
      () =>
        api.intakeRaw({
          rawBody: 'source=patrol',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          claims: claimsFor.commandCentre(),
        }),
      415,
      'content-type',
      'json',
    ],
    [
      'a wrong type',
      () => api.report({ ...valid(), location: { lat: '30.3', lng: 120.1 } }),
      400,
      'location.lat',
      'invalid_type',
    ],
    [
      'a missing field',
      () => api.report({ ...valid(), description: undefined }),
      400,
      'description',
      'invalid_type',
    ],
    ['an unknown source', () => api.report({ ...valid(), source: 'fax' }), 400, 'source', 'invalid_value'],
    [
      'a latitude outside the world',
      () => api.report({ ...valid(), location: { lat: 95, lng: 120.1 } }),
      400,
      'location.lat',
      'too_big',
    ],
    [
      'a longitude outside the world',
      () => api.report({ ...valid(), location: { lat: 30.3, lng: -200 } }),
      400,
      'location.lng',
      'too_small',
    ],
    [
      'a place far outside the district (Beijing)',
      () => api.report({ ...valid(), location: { lat: 39.9, lng: 116.4 } }),
      422,
      'location',
      'outside_district',
    ],
    [
      'a 1 MB description',
      () => api.report({ ...valid(), description: '污'.repeat(1_000_000) }),
      400,
      'description',
      'too_big',
    ],
    [
      'an unknown category',
      () => api.report({ ...valid(), category: 'event.alien-landing' }),
      422,
      'category',
      'unknown_category',
    ],
    [
      'an unknown field',
      () => api.report({ ...valid(), priority: 'urgent' }),
      400,
      'priority',
      'unrecognized_key',
    ],
    [
      'a malformed phone number',
      () => api.report({ ...valid(), reporter: { phone: 'call me' } }),
      400,
      'reporter.phone',
      'invalid_format',
    ],
    [
      'a future occurredAt',
      () => api.report({ ...valid(), occurredAt: '2099-01-01T00:00:00Z' }),
      422,
      'occurredAt',
      'not_in_future',
    ],
    [
      'an occurredAt that is no date',
      () => api.report({ ...valid(), occurredAt: 'yesterday' }),
      400,
      'occurredAt',
      'invalid_format',
    ],
    [
      'an Idempotency-Key with control characters',
      () => api.report(valid(), claimsFor.commandCentre(), { 'Idempotency-Key': 'a\tb' }),
      400,
      'Idempotency-Key',
      'invalid_format',
    ],
    [
      'a token without role',
      () => api.report(valid(), { iss: TEST_ISSUER, sub: 'someone' }),
      403,
      'authorization',
      'forbidden',
    ],
    ['no token at all', () => api.report(valid(), {}), 401, 'authorization', 'unauthenticated'],
    [
      'a token of another issuer',
      () => api.report(valid(), { ...claimsFor.commandCentre(), iss: 'urn:xietong:local' }),
      401,
      'authorization',
      'unauthenticated',
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, field, rule) => {
    const before = await itemCount();
    const reply = await send();
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(reply.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
    expect(await itemCount()).toBe(before);
  });

  it('an unknown case id is a 404, a malformed one a 400', async () => {
    const unknown = await api.get('C0000000000000000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'id', rule: 'case_not_found' });
    const malformed = await api.get('../../etc/passwd');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('id');
    const command = await api.command('C0000000000000000000000000', 'accept', {}, claimsFor.staff('police'));
    expect(command.status).toBe(404);
  });

  it('command bodies are checked like reports', async () => {
    const accepted = await api.report(valid());
    await api.drainQueue();
    const id = accepted.body.id;
    const wrongType = await api.command(id, 'verify', { passed: 'yes' }, claimsFor.commandCentre());
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0]).toMatchObject({ field: 'passed', rule: 'invalid_type' });
    const unknownDepartment = await api.command(
      id,
      'dispatch',
      { department: 'navy' },
      claimsFor.commandCentre(),
    );
    expect(unknownDepartment.status).toBe(422);
    expect(unknownDepartment.body.errors[0]).toMatchObject({
      field: 'department',
      rule: 'unknown_department',
    });
    const version = await api.command(id, 'dispatch', { expectedVersion: -1 }, claimsFor.commandCentre());
    expect(version.status).toBe(400);
    expect(version.body.errors[0].field).toBe('expectedVersion');
    expect((await api.get(id)).body.version).toBe(accepted.body.version + 1);
  });
});

describe('the router', () => {
  it('fails only the poison message of a batch, so SQS can move it to the DLQ', async () => {
    const good = await api.report(valid());
    await emulators.sqs.send(
      new (await import('@aws-sdk/client-sqs')).SendMessageCommand({
        QueueUrl: emulators.queues.intakeQueueUrl,
        MessageBody: 'not json',
        MessageGroupId: routingAreaOf(valid().location),
        MessageDeduplicationId: 'poison',
      }),
    );
    const responses = await api.drainQueue();
    const failures = responses.flatMap((r) => r.batchItemFailures);
    expect(failures).toHaveLength(1);
    expect((await api.get(good.body.id)).body.status).toBe('registered');
  });

  it('ignores a redelivered message for a case already routed', async () => {
    const accepted = await api.report(valid());
    await api.drainQueue();
    const routed = (await api.get(accepted.body.id)).body;
    await api.queue.enqueue({
      caseId: accepted.body.id,
      correlationId: 'redelivery',
      area: routingAreaOf(routed.location),
    });
    await api.drainQueue();
    const after = (await api.get(accepted.body.id)).body;
    expect(after.version).toBe(routed.version);
    expect(after.timeline).toHaveLength(routed.timeline.length);
  });
});
