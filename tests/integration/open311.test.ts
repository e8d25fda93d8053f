import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/open311/app';
import { DynamoIntegrationKeyStore } from '../../shared/adapters/aws/dynamodb-integration-key-store';
import { DynamoRateLimiter } from '../../shared/adapters/aws/dynamodb-rate-limiter';
import { apiEvent, lambdaContext } from '../support/api-event';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';
import { asFunction } from '../support/iam';
import { keysHarness } from '../support/keys-harness';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;
let keys: ReturnType<typeof keysHarness>;
let open311: ReturnType<typeof makeHandler>;
let apiKey: string;
let nextPoint: () => { lat: number; lng: number };

interface Open311Reply {
  status: number;
  contentType: string;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON replies
  json: any;
}

const ROUTES: [RegExp, string][] = [
  [/^\/open311\/v2\/(services|requests|tokens)\/([^/]+)$/, 'GET /open311/v2/$1/{file}'],
  [/^\/open311\/v2\/([^/]+)$/, 'GET /open311/v2/{file}'],
];

/** A call as the HTTP API routes it: the route key and `{file}` from the path. */
const call = async (
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Record<string, string>; form?: string } = {},
): Promise<Open311Reply> => {
  const [pattern, template] = ROUTES.find(([p]) => p.test(path)) ?? ROUTES[1]!;
  const routeKey = path.replace(pattern, template).replace(/^GET/, method);
  const file = path.split('/').pop() ?? '';
  const event = apiEvent({
    routeKey,
    path,
    pathParameters: { file },
    ...(options.query && { query: options.query }),
    ...(options.form !== undefined && { rawBody: options.form }),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: 'api.sandun.test' },
  });
  const { authorizer: _none, ...publicContext } = event.requestContext;
  const result = (await open311(
    { ...event, requestContext: publicContext } as never,
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  const text = result.body ?? '';
  const contentType = String(result.headers?.['content-type'] ?? '');
  return {
    status: result.statusCode ?? 200,
    contentType,
    text,
    json: contentType.startsWith('application/json') ? JSON.parse(text) : undefined,
  };
};

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const post = (fields: Record<string, string>, format = 'json') =>
  call('POST', `/open311/v2/requests.${format}`, { form: form(fields) });

const validRequest = (overrides: Record<string, string> = {}) => {
  const point = nextPoint();
  return {
    api_key: apiKey,
    service_code: 'event.garbage-overflow',
    lat: String(point.lat),
    long: String(point.lng),
    address_string: '紫金港路 18 号',
    description: '垃圾桶满溢 <三天> 没人清理 & 有异味，电话 13812341234',
    first_name: '芳',
    last_name: '王',
    phone: '13812341234',
    email: 'wang@example.cn',
    ...overrides,
  };
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
  keys = keysHarness(emulators, api.clock);
  nextPoint = distinctPointsIn(sandun.zone('zijingang')!);
  open311 = asFunction(
    'open311',
    makeHandler({
      store: api.store,
      queue: api.queue,
      district: sandun,
      clock: api.clock,
      keys: new DynamoIntegrationKeyStore({ client: emulators.documents, tableName: emulators.tableName }),
      rateLimiter: new DynamoRateLimiter({ client: emulators.documents, tableName: emulators.tableName }),
    }),
  );
  const created = await keys.create({ name: 'Open311 网关', source: 'open311' });
  apiKey = created.body.key;
});

afterAll(async () => {
  await emulators.stop();
});

describe('discovery and services', () => {
  it('discovery names the spec, this endpoint and both formats', async () => {
    const reply = await call('GET', '/open311/v2/discovery.json');
    expect(reply.status).toBe(200);
    expect(reply.json.endpoints).toEqual([
      expect.objectContaining({
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'https://api.sandun.test/open311/v2',
        formats: ['text/xml', 'application/json'],
      }),
    ]);
    const xml = await call('GET', '/open311/v2/discovery.xml');
    expect(xml.text).toContain('<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2');
    expect(xml.text).toContain(
      '<formats><format>text/xml</format><format>application/json</format></formats>',
    );
  });

  it('lists the district categories as services in JSON and XML', async () => {
    const json = await call('GET', '/open311/v2/services.json');
    expect(json.status).toBe(200);
    expect(json.contentType).toBe('application/json; charset=utf-8');
    expect(json.json.map((s: { service_code: string }) => s.service_code)).toEqual(
      sandun.config.categories.map((c) => c.code),
    );
    const xml = await call('GET', '/open311/v2/services.xml');
    expect(xml.contentType).toBe('text/xml; charset=utf-8');
    expect(xml.text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<services><service>')).toBe(true);
    expect(xml.text).toContain(
      '<service_code>event.garbage-overflow</service_code><service_name>垃圾满溢</service_name>',
    );
    expect(xml.text.match(/<service>/g)).toHaveLength(sandun.config.categories.length);
  });

  it('a service definition, and 404 in the spec format for an unknown one', async () => {
    const found = await call('GET', '/open311/v2/services/event.fire-smoke.xml');
    expect(found.status).toBe(200);
    expect(found.text).toContain(
      '<service_definition><service_code>event.fire-smoke</service_code><attributes></attributes></service_definition>',
    );
    const missing = await call('GET', '/open311/v2/services/nope.json');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual([{ code: 404, description: 'service_code "nope" was not found' }]);
  });

  it('another jurisdiction is not found; an unknown extension is a 404 in XML', async () => {
    const other = await call('GET', '/open311/v2/services.json', { query: { jurisdiction_id: 'city.gov' } });
    expect(other.status).toBe(404);
    const html = await call('GET', '/open311/v2/services.html');
    expect(html.status).toBe(404);
    expect(html.text).toMatch(/^<\?xml[^>]*>\n<errors><error><code>404<\/code><description>/);
  });
});

describe('POST requests', () => {
  it('creates a case with the key as actor and answers its id', async () => {
    const reply = await post(validRequest(), 'xml');
    expect(reply.status).toBe(201);
    const id = /<service_request_id>([^<]+)<\/service_request_id>/.exec(reply.text)?.[1];
    expect(reply.text).toContain('<service_notice>已受理，将由城管执法中队处理');
    expect(reply.text).toContain('<account_id/>');
    const stored = await api.store.get(id!);
    expect(stored?.case).toMatchObject({
      source: 'open311',
      category: 'event.garbage-overflow',
      status: 'reported',
      reporter: { name: '王芳', phone: '13812341234' },
      submittedBy: { role: 'integration', name: 'Open311 网关' },
      location: { address: '紫金港路 18 号' },
    });
  });

  it.each([
    ['missing', undefined],
    ['malformed', 'not-a-key'],
    ['wrong', 'xtk_01ARZ3NDEKTSV4RRFFQ69G5FAV_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses a %s api_key with 403 in the spec format', async (_label, key) => {
    const { api_key: _k, ...rest } = validRequest();
    const json = await post(key === undefined ? rest : { ...rest, api_key: key });
    expect(json.status).toBe(403);
    expect(json.json).toEqual([{ code: 403, description: expect.stringMatching(/api_key/) }]);
    const xml = await post(key === undefined ? rest : { ...rest, api_key: key }, 'xml');
    expect(xml.status).toBe(403);
    expect(xml.text).toMatch(
      /<errors><error><code>403<\/code><description>api_key [^<]+<\/description><\/error><\/errors>$/,
    );
  });

  it('refuses a revoked key and a key of another source', async () => {
    const revoked = await keys.create({ name: '旧网关', source: 'open311' });
    await keys.revoke(revoked.body.id);
    expect((await post(validRequest({ api_key: revoked.body.key }))).status).toBe(403);
    const hotline = await keys.create({ name: '12345 热线平台', source: 'hotline' });
    expect((await post(validRequest({ api_key: hotline.body.key }))).status).toBe(403);
  });

  it('400 without a service_code or a location, 404 for an unknown service_code', async () => {
    const { service_code: _s, ...noCode } = validRequest();
    expect((await post(noCode)).json).toEqual([{ code: 400, description: 'service_code was not provided' }]);
    const { lat: _a, long: _b, ...noPoint } = validRequest();
    expect((await post(noPoint)).status).toBe(400);
    expect((await post(validRequest({ service_code: 'nope' }))).status).toBe(404);
    expect((await post(validRequest({ lat: '39.9', long: '116.4' }))).json[0].description).toMatch(
      /km from every zone/,
    );
  });
});

describe('reading requests', () => {
  let id: string;

  beforeAll(async () => {
    api.clock.advanceMinutes(5);
    id = (await post(validRequest())).json[0].service_request_id;
  });

  it('the token gives the id once the case is routed', async () => {
    const before = await call('GET', `/open311/v2/tokens/${id}.json`);
    expect(before.json).toEqual([{ token: id }]);
    await api.drainQueue();
    const after = await call('GET', `/open311/v2/tokens/${id}.xml`);
    expect(after.text).toContain(
      `<request><service_request_id>${id}</service_request_id><token>${id}</token></request>`,
    );
    expect((await call('GET', '/open311/v2/tokens/Cnope.json')).status).toBe(404);
  });

  it('one request in JSON and XML, without personal data', async () => {
    const json = await call('GET', `/open311/v2/requests/${id}.json`);
    expect(json.status).toBe(200);
    expect(json.json).toEqual([
      expect.objectContaining({
        service_request_id: id,
        status: 'open',
        service_code: 'event.garbage-overflow',
        service_name: '垃圾满溢',
        agency_responsible: '城管执法中队',
        address: '紫金港路 18 号',
        description: '垃圾桶满溢 <三天> 没人清理 & 有异味，电话 138****1234',
        requested_datetime: api.clock.now().replace('.000Z', 'Z'),
      }),
    ]);
    const xml = await call('GET', `/open311/v2/requests/${id}.xml`);
    expect(xml.text).toContain(
      '<description>垃圾桶满溢 &lt;三天&gt; 没人清理 &amp; 有异味，电话 138****1234</description>',
    );
    for (const reply of [json.text, xml.text]) {
      expect(reply).not.toMatch(/王芳|13812341234|wang@example|Open311 网关|key:/);
    }
    expect((await call('GET', '/open311/v2/requests/Cnope.xml')).status).toBe(404);
  });

  it('follows the workflow: closed with its notes after the case is closed', async () => {
    const cancelled = (await post(validRequest())).json[0].service_request_id;
    await api.drainQueue();
    const result = await api.command(
      cancelled,
      'cancel',
      { reason: '重复上报 / duplicate' },
      claimsFor.commandCentre(),
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const reply = await call('GET', `/open311/v2/requests/${cancelled}.json`);
    expect(reply.json[0]).toMatchObject({ status: 'closed', status_notes: '已撤销 / Cancelled' });

    const closed = await call('GET', '/open311/v2/requests.json', { query: { status: 'closed' } });
    expect(closed.json.map((r: { service_request_id: string }) => r.service_request_id)).toContain(cancelled);
    expect(closed.json.every((r: { status: string }) => r.status === 'closed')).toBe(true);
    const open = await call('GET', '/open311/v2/requests.json', { query: { status: 'open' } });
    expect(open.json.map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(
      cancelled,
    );
  });

  it('filters by ids, service_code, dates, and pages', async () => {
    const byIds = await call('GET', '/open311/v2/requests.json', {
      query: { service_request_id: `${id},Cnope` },
    });
    expect(byIds.json.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([id]);

    const otherCode = await call('GET', '/open311/v2/requests.json', {
      query: { service_code: 'event.fire-smoke' },
    });
    expect(otherCode.json).toEqual([]);
    const all = await call('GET', '/open311/v2/requests.json', {
      query: { service_code: 'event.garbage-overflow' },
    });
    expect(all.json.length).toBeGreaterThanOrEqual(3);
    const times = all.json.map((r: { requested_datetime: string }) => r.requested_datetime);
    expect([...times].sort().reverse()).toEqual(times);

    const firstPage = await call('GET', '/open311/v2/requests.json', { query: { page_size: '1' } });
    const secondPage = await call('GET', '/open311/v2/requests.json', {
      query: { page_size: '1', page: '2' },
    });
    expect(firstPage.json).toHaveLength(1);
    expect(secondPage.json).toHaveLength(1);
    expect(secondPage.json[0].service_request_id).not.toBe(firstPage.json[0].service_request_id);

    const past = await call('GET', '/open311/v2/requests.json', {
      query: { start_date: '2026-01-01T00:00:00Z', end_date: '2026-02-01T00:00:00Z' },
    });
    expect(past.json).toEqual([]);
    const xml = await call('GET', '/open311/v2/requests.xml', { query: { service_request_id: id } });
    expect(xml.text).toMatch(/^<\?xml[^>]*>\n<service_requests><request><service_request_id>/);
  });

  it('refuses a range over 90 days with 400 in the spec format', async () => {
    const reply = await call('GET', '/open311/v2/requests.xml', {
      query: { start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain(
      '<errors><error><code>400</code><description>start_date and end_date may not be more than 90 days apart',
    );
  });
});

/**
 * The XML format read back with a real XML parser (fast-xml-parser), element by element as the spec
 * names them: every document is well-formed, has the spec's root and item elements, and says what
 * the JSON format says.
 */
describe('XML, read with an XML parser', () => {
  const LISTS = ['endpoint', 'format', 'service', 'request', 'error', 'attribute', 'value', 'keyword'];
  const parser = new XMLParser({
    ignoreDeclaration: true,
    parseTagValue: false,
    isArray: (name) => LISTS.includes(name),
  });
  const parse = (text: string) => {
    expect(XMLValidator.validate(text)).toBe(true);
    // biome-ignore lint/suspicious/noExplicitAny: the parsed document is read field by field
    return parser.parse(text) as any;
  };
  let id: string;

  beforeAll(async () => {
    api.clock.advanceMinutes(5);
    id = (await post(validRequest(), 'xml')).text.match(/<service_request_id>([^<]+)</)?.[1] ?? '';
    await api.drainQueue();
  });

  it('discovery: endpoints with their specification, url and formats', async () => {
    const [json, xml] = await Promise.all([
      call('GET', '/open311/v2/discovery.json'),
      call('GET', '/open311/v2/discovery.xml'),
    ]);
    const doc = parse(xml.text).discovery;
    expect(doc.endpoints.endpoint[0].specification).toBe(json.json.endpoints[0].specification);
    expect(doc.endpoints.endpoint[0].url).toBe(json.json.endpoints[0].url);
    expect(doc.endpoints.endpoint[0].formats.format).toEqual(json.json.endpoints[0].formats);
  });

  it('services and one service definition say what the JSON says', async () => {
    const [json, xml] = await Promise.all([
      call('GET', '/open311/v2/services.json'),
      call('GET', '/open311/v2/services.xml'),
    ]);
    const services = parse(xml.text).services.service;
    expect(services.map((s: { service_code: string }) => s.service_code)).toEqual(
      json.json.map((s: { service_code: string }) => s.service_code),
    );
    for (const [i, service] of services.entries()) {
      expect(service.service_name).toBe(json.json[i].service_name);
      expect(service.group).toBe(json.json[i].group);
      expect(service.metadata).toBe(String(json.json[i].metadata));
      expect(service.type).toBe(json.json[i].type);
    }
    const code = 'event.fire-smoke';
    const definition = parse((await call('GET', `/open311/v2/services/${code}.xml`)).text);
    expect(definition.service_definition.service_code).toBe(code);
  });

  it('the POST reply, the token, one request and the filtered list carry the same request', async () => {
    expect(id).toMatch(/^C/);
    const token = parse((await call('GET', `/open311/v2/tokens/${id}.xml`)).text);
    expect(token.service_requests.request[0].service_request_id).toBe(id);
    const one = parse((await call('GET', `/open311/v2/requests/${id}.xml`)).text).service_requests.request[0];
    const json = (await call('GET', `/open311/v2/requests/${id}.json`)).json[0];
    for (const field of ['service_request_id', 'status', 'service_code', 'service_name', 'description']) {
      expect(one[field], field).toBe(json[field]);
    }
    expect(one.agency_responsible).toBe(json.agency_responsible);
    const listed = parse(
      (await call('GET', '/open311/v2/requests.xml', { query: { service_request_id: id } })).text,
    ).service_requests.request;
    expect(listed.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([id]);
  });

  it('errors: a list of error elements with code and description, as in the JSON', async () => {
    const [json, xml] = await Promise.all([
      call('GET', '/open311/v2/requests/Cnope.json'),
      call('GET', '/open311/v2/requests/Cnope.xml'),
    ]);
    expect(xml.status).toBe(404);
    const errors = parse(xml.text).errors.error;
    expect(errors).toEqual(
      json.json.map((e: { code: number; description: string }) => ({ ...e, code: String(e.code) })),
    );
  });
});
