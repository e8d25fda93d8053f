import { describe, expect, it } from 'vitest';
import type { Case } from '../../shared/domain/case';
import { Open311Error, open311ErrorResponse, open311RefusalOf } from '../../shared/open311/errors';
import { open311Response, parseResourceFile } from '../../shared/open311/format';
import { parseForm, reportInputOf } from '../../shared/open311/post-request';
import { requestsFilterOf } from '../../shared/open311/query';
import { open311StatusOf, publicServiceRequest, statusNotesOf } from '../../shared/open311/requests';
import { serviceDefinition, serviceList } from '../../shared/open311/services';
import { escapeXml, xmlDocument } from '../../shared/open311/xml';
import { sandun } from '../support/cases-harness';

const NOW = '2026-11-30T01:00:00.000Z';

const aCase = (overrides: Partial<Case> = {}): Case => ({
  id: 'C01TEST',
  district: 'sandun',
  status: 'dispatched',
  version: 3,
  source: 'hotline',
  category: 'event.garbage-overflow',
  priority: 'normal',
  description: '垃圾桶满溢，请联系我 13812341234',
  location: {
    lat: 30.28,
    lng: 120.07,
    crs: 'wgs84',
    address: '紫金港路 1 号',
    reported: { lat: 30.28, lng: 120.07, crs: 'wgs84' },
  },
  reportedAt: '2026-11-29T01:00:00.000Z',
  updatedAt: '2026-11-29T02:00:00.000Z',
  reporter: { name: '王女士', phone: '13812341234' },
  submittedBy: { subject: 'key:K1', role: 'integration', name: '12345 热线' },
  triage: false,
  lead: 'urban-management',
  cooperating: [],
  assignee: 'urban-management',
  deadlines: { acceptBy: '2026-11-29T03:00:00.000Z', handleBy: '2026-11-30T09:00:00.000Z' },
  counters: { returns: 0, reassigns: 0, reworks: 0, reopens: 0 },
  linkedReports: [],
  timeline: [],
  ...overrides,
});

describe('the XML writer', () => {
  it('escapes the five markup characters and keeps Chinese text as is', () => {
    expect(escapeXml(`<a href="x">&'三墩'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&apos;三墩&apos;&lt;/a&gt;',
    );
  });

  it('drops characters XML cannot carry, keeps tabs, newlines and astral characters', () => {
    expect(escapeXml('a\u0000b\u0007c\td\ne\uFFFE𠀋')).toBe('ab c\td\ne𠀋'.replace(' ', ''));
  });

  it('writes the declaration, lists by the Spark convention, and empty elements for null', () => {
    const xml = xmlDocument('service_requests', [
      { service_request_id: 'C1', service_notice: '已受理 & 处理中', account_id: null },
    ]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request><service_request_id>C1</service_request_id>' +
        '<service_notice>已受理 &amp; 处理中</service_notice><account_id/></request></service_requests>',
    );
  });

  it('refuses a list it has no element name for (a bug, not a request error)', () => {
    expect(() => xmlDocument('things', [1])).toThrow(/no XML element name/);
  });
});

describe('picking the format', () => {
  it.each([
    ['services.xml', { name: 'services', format: 'xml' }],
    ['requests.JSON', { name: 'requests', format: 'json' }],
    ['event.fire-smoke.json', { name: 'event.fire-smoke', format: 'json' }],
    ['%E4%B8%89.xml', { name: '三', format: 'xml' }],
  ])('%s', (file, expected) => {
    expect(parseResourceFile(file)).toEqual(expected);
  });

  it.each(['services', 'services.html', '.xml', ''])('refuses %j', (file) => {
    expect(parseResourceFile(file)).toBeUndefined();
  });

  it('sets the content type of each format', () => {
    expect(open311Response(200, 'xml', 'services', []).headers).toEqual({
      'content-type': 'text/xml; charset=utf-8',
    });
    expect(open311Response(200, 'json', 'services', []).headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
    });
  });
});

describe('errors in the spec format', () => {
  it('as a JSON list and as <errors><error>', () => {
    const refusal = open311RefusalOf(new Open311Error(404, 'service_code "x" was not found'));
    expect(JSON.parse(open311ErrorResponse(refusal, 'json').body as string)).toEqual([
      { code: 404, description: 'service_code "x" was not found' },
    ]);
    expect(open311ErrorResponse(refusal, 'xml')).toMatchObject({
      statusCode: 404,
      body: '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>404</code><description>service_code &quot;x&quot; was not found</description></error></errors>',
    });
  });

  it('hides unexpected errors behind a bare 500', () => {
    expect(open311RefusalOf(new Error('table gone: arn:aws:…'))).toEqual({
      status: 500,
      description: 'The request could not be completed; it has been logged.',
    });
  });
});

describe('services from the district', () => {
  it('one service per category, realtime, no metadata, keywords and group', () => {
    const services = serviceList(sandun);
    expect(services).toHaveLength(sandun.config.categories.length);
    expect(services[0]).toEqual({
      service_code: 'component.manhole-cover-missing',
      service_name: '井盖缺失',
      description: '道路、人行道上的井盖缺失、破损或移位，易造成行人车辆跌落。',
      metadata: false,
      type: 'realtime',
      keywords: expect.stringContaining('井盖, 窨井'),
      group: '公用设施',
    });
  });

  it('a definition without attributes; an unknown code is a 404', () => {
    expect(serviceDefinition(sandun, 'event.fire-smoke')).toEqual({
      service_code: 'event.fire-smoke',
      attributes: [],
    });
    expect(() => serviceDefinition(sandun, 'nope')).toThrow(Open311Error);
  });
});

describe('cases as public service requests', () => {
  it('maps the workflow and hides personal data', () => {
    const request = publicServiceRequest(aCase(), sandun);
    expect(request).toMatchObject({
      service_request_id: 'C01TEST',
      status: 'open',
      status_notes: '已派遣至责任部门 / Dispatched to the responsible department',
      service_name: '垃圾满溢',
      service_code: 'event.garbage-overflow',
      description: '垃圾桶满溢，请联系我 138****1234',
      agency_responsible: '城管执法中队',
      requested_datetime: '2026-11-29T01:00:00Z',
      updated_datetime: '2026-11-29T02:00:00Z',
      expected_datetime: '2026-11-30T09:00:00Z',
      address: '紫金港路 1 号',
      lat: 30.28,
      long: 120.07,
    });
    expect(JSON.stringify(request)).not.toMatch(/王女士|13812341234|key:K1|热线/);
  });

  it('closed and cancelled are closed; a merged report names its case', () => {
    expect(open311StatusOf('closed')).toBe('closed');
    expect(open311StatusOf('cancelled')).toBe('closed');
    expect(open311StatusOf('verified')).toBe('open');
    const merged = publicServiceRequest(aCase({ status: 'merged', mergedInto: 'C02MAIN' }), sandun);
    expect(merged.status_notes).toBe('已并入事件 C02MAIN / Merged into case C02MAIN');
    expect(merged.service_notice).toContain('C02MAIN');
    const closed = publicServiceRequest(
      aCase({ status: 'closed', closedAt: '2026-11-29T05:00:00.000Z' }),
      sandun,
    );
    expect(closed).toMatchObject({
      status: 'closed',
      updated_datetime: '2026-11-29T05:00:00Z',
      expected_datetime: null,
    });
  });

  it('says so while a case is on hold or waits for triage', () => {
    expect(
      statusNotesOf(aCase({ hold: { since: NOW, reason: 'x', remaining: { handleMinutes: 5 } } })),
    ).toContain('挂起');
    expect(statusNotesOf(aCase({ status: 'registered', triage: true }))).toContain('等待分类');
  });
});

describe('GET requests arguments', () => {
  it('defaults to the most recent 90 days, page 1', () => {
    expect(requestsFilterOf({}, NOW)).toEqual({
      kind: 'search',
      start: '2026-09-01T01:00:00.000Z',
      end: NOW,
      page: 1,
      pageSize: 50,
    });
  });

  it('service_request_id overrides everything else', () => {
    expect(
      requestsFilterOf({ service_request_id: 'C1, C2,C1', status: 'closed', service_code: 'x' }, NOW),
    ).toEqual({
      kind: 'ids',
      ids: ['C1', 'C2'],
    });
  });

  it('reads comma lists, dates with offsets, and treats empty arguments as absent', () => {
    expect(
      requestsFilterOf(
        {
          service_code: 'a,b',
          status: 'open,closed',
          start_date: '2026-11-01T00:00:00+08:00',
          end_date: '2026-11-20T00:00:00Z',
          page: '2',
          page_size: '10',
          jurisdiction_id: '',
        },
        NOW,
      ),
    ).toEqual({
      kind: 'search',
      serviceCodes: ['a', 'b'],
      statuses: ['open', 'closed'],
      start: '2026-10-31T16:00:00.000Z',
      end: '2026-11-20T00:00:00.000Z',
      page: 2,
      pageSize: 10,
    });
  });

  it.each([
    [{ start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }, /90 days/],
    [{ start_date: '2026-06-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' }, /after/],
    [{ start_date: '2026-06-01' }, /start_date/],
    [{ status: 'pending' }, /status/],
    [{ page_size: '0' }, /page_size/],
  ])('refuses %j with a 400', (query, message) => {
    const error = (() => {
      try {
        requestsFilterOf(query, NOW);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Open311Error);
    expect((error as Open311Error).status).toBe(400);
    expect((error as Open311Error).message).toMatch(message);
  });
});

describe('POST requests form', () => {
  it('becomes an open311 report; attributes and media travel in the description', () => {
    const form = parseForm(
      'api_key=k&service_code=event.garbage-overflow&lat=30.28&long=120.07&address_string=%E7%B4%AB%E9%87%91%E6%B8%AF%E8%B7%AF' +
        '&description=%E5%9E%83%E5%9C%BE&first_name=%E8%8A%B3&last_name=%E7%8E%8B&phone=13812341234&email=a%40b.cn' +
        '&media_url=https%3A%2F%2Fimg.example%2F1.jpg&attribute[bins]=3&attribute[kinds][]=a&attribute[kinds][]=b&device_id=',
    );
    expect(form.apiKey).toBe('k');
    expect(form.fields.has('device_id')).toBe(false);
    expect(reportInputOf(form, '垃圾满溢')).toEqual({
      source: 'open311',
      category: 'event.garbage-overflow',
      description: '垃圾\n[bins] 3\n[kinds] a, b\n[media_url] https://img.example/1.jpg',
      location: { lat: 30.28, lng: 120.07, crs: 'wgs84', address: '紫金港路' },
      reporter: { name: '王芳', phone: '13812341234' },
    });
  });

  it('uses the service name when there is no description; needs lat/long', () => {
    expect(reportInputOf(parseForm('service_code=x&lat=1&long=2'), '垃圾满溢').description).toBe('垃圾满溢');
    expect(() => reportInputOf(parseForm('service_code=x&address_string=somewhere'), 'x')).toThrow(
      /lat and long/,
    );
    expect(() => reportInputOf(parseForm('service_code=x&lat=north&long=2'), 'x')).toThrow(
      /lat must be a number/,
    );
  });
});
