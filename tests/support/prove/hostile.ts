import fc from 'fast-check';

/**
 * Hostile input: the values and byte sequences an attacker or a broken client sends. Kept apart from
 * the schema-driven generator so each request is "valid-ish, then one or two things broken", which
 * reaches deeper code than pure noise.
 */

export const INJECTION_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE cases; --",
  '" OR ""="',
  '{"$ne":null}',
  '{"$gt":""}',
  '$where: function() { return true }',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}',
  '$' + '{7*7}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '\u0000',
  '\u202e\u0000\uffff',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '#attr = :val',
  'attribute_not_exists(pk)',
  'CASE#x',
  'pk',
  '\ud800',
  '😀'.repeat(20),
  ' ',
  '',
  '\t\r\n',
];

/** Ids no route should choke on, as they appear in a path (already percent-encoded where needed). */
export const HOSTILE_PATH_IDS = [
  "'%20OR%20'1'%3D'1",
  '%7B%22%24ne%22%3Anull%7D',
  '%00',
  '%ff%fe',
  '%E4%B8',
  '%C0%AF',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '__proto__',
  'constructor',
  'CASE%23x',
  'C'.padEnd(26, 'x'),
  `C${'a'.repeat(5000)}`,
  '-1',
  'NaN',
  'Infinity',
  '0',
  '%F0%9F%98%80',
  '%3Cscript%3E',
  'x.json',
  'x.xml',
  '.json',
  'discovery.json.xml',
  '%20',
];

/** Raw JSON number spellings that parse to something surprising (1e999 is Infinity) or not at all. */
const RAW_NUMBERS = [
  '1e999',
  '-1e999',
  '-0',
  '1e308',
  '5e-324',
  '-9007199254740993',
  '9007199254740993',
  '0.1e1',
];
const INVALID_NUMBERS = ['NaN', 'Infinity', '-Infinity', '0x10', '01', '.5', '+1'];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value of a wrong or hostile kind, to put where the schema wants something else. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...INJECTION_STRINGS),
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_VALUE,
    [],
    {},
    '',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 100, max: 2_000 }).map((n) => '井'.repeat(n)),
  fc.array(fc.constantFrom<Json>(...INJECTION_STRINGS), { maxLength: 5 }),
  fc.dictionary(
    fc.constantFrom('$ne', '$gt', '__proto__', 'S', 'N', 'constructor'),
    fc.constantFrom<Json>(1, 'x', null),
  ),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** JSON text whose value is nested `depth` levels deep. */
export const deepNesting = (depth: number, kind: 'array' | 'object') =>
  kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

export type BodyMutation =
  | { kind: 'none' }
  | { kind: 'drop-field'; pick: number }
  | { kind: 'replace-field'; pick: number; value: Json }
  | { kind: 'raw-number'; pick: number; text: string }
  | { kind: 'deep-nesting'; pick: number; depth: number; shape: 'array' | 'object' }
  | { kind: 'duplicate-key'; pick: number; value: Json }
  | { kind: 'extra-field'; name: string; value: Json }
  | { kind: 'whole-body'; text: string }
  | { kind: 'invalid-utf8'; pick: number; bytes: readonly number[] }
  | { kind: 'oversized' };

export const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<BodyMutation>({ kind: 'none' }) },
  { weight: 2, arbitrary: fc.nat().map<BodyMutation>((pick) => ({ kind: 'drop-field', pick })) },
  {
    weight: 5,
    arbitrary: fc
      .record({ pick: fc.nat(), value: hostileValue })
      .map<BodyMutation>((m) => ({ kind: 'replace-field', ...m })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ pick: fc.nat(), text: fc.constantFrom(...RAW_NUMBERS, ...INVALID_NUMBERS) })
      .map<BodyMutation>((m) => ({ kind: 'raw-number', ...m })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        pick: fc.nat(),
        depth: fc.constantFrom(50, 1_000, 20_000),
        shape: fc.constantFrom<'array' | 'object'>('array', 'object'),
      })
      .map<BodyMutation>((m) => ({ kind: 'deep-nesting', ...m })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ pick: fc.nat(), value: hostileValue })
      .map<BodyMutation>((m) => ({ kind: 'duplicate-key', ...m })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        name: fc.constantFrom(
          '__proto__',
          'constructor',
          'prototype',
          'pk',
          'version',
          'status',
          'id',
          'toString',
        ),
        value: hostileValue,
      })
      .map<BodyMutation>((m) => ({ kind: 'extra-field', ...m })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '[]',
        '"text"',
        '42',
        'null',
        'true',
        '{',
        '{"a":1,}',
        "{'a':1}",
        'NaN',
        '{"a":NaN}',
        '{"a":Infinity}',
        '\u0000',
        '{"__proto__":{"polluted":true}}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '\ufeff{}',
        '<xml/>',
        'a=1&b=2',
      )
      .map<BodyMutation>((text) => ({ kind: 'whole-body', text })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        pick: fc.nat(),
        bytes: fc.constantFrom(
          [0xff],
          [0xfe, 0xff],
          [0xc0, 0xaf],
          [0xe4, 0xb8],
          [0xed, 0xa0, 0x80],
          [0xf8, 0x88, 0x80],
        ),
      })
      .map<BodyMutation>((m) => ({ kind: 'invalid-utf8', ...m })),
  },
  { weight: 1, arbitrary: fc.constant<BodyMutation>({ kind: 'oversized' }) },
);

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/json; charset=utf-16',
  'application/xml',
  ';;;',
  'application/json, text/plain',
  '',
];

/** A small prefix of the field list, in a stable order, for a mutation's `pick`. */
const keyAt = (keys: string[], pick: number) => (keys.length === 0 ? undefined : keys[pick % keys.length]);

const placeholder = '\u0001MUTATION\u0001';

/** The body bytes: the generated value with one mutation applied (at top level, where fields live). */
export const renderBody = (value: unknown, mutation: BodyMutation, maxBodyBytes: number): Buffer => {
  const object =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { ...(value as Record<string, Json>) }
      : {};
  const keys = Object.keys(object);
  switch (mutation.kind) {
    case 'none':
      return Buffer.from(JSON.stringify(value ?? {}));
    case 'drop-field': {
      const key = keyAt(keys, mutation.pick);
      if (key) delete object[key];
      return Buffer.from(JSON.stringify(object));
    }
    case 'replace-field': {
      const key = keyAt(keys, mutation.pick) ?? 'description';
      object[key] = mutation.value;
      return Buffer.from(JSON.stringify(object));
    }
    case 'raw-number':
    case 'deep-nesting':
    case 'invalid-utf8': {
      const key = keyAt(keys, mutation.pick) ?? 'description';
      object[key] = placeholder;
      const text = JSON.stringify(object);
      const marker = JSON.stringify(placeholder);
      const [before, after] = [
        text.slice(0, text.indexOf(marker)),
        text.slice(text.indexOf(marker) + marker.length),
      ];
      const middle =
        mutation.kind === 'raw-number'
          ? Buffer.from(mutation.text)
          : mutation.kind === 'deep-nesting'
            ? Buffer.from(deepNesting(mutation.depth, mutation.shape))
            : Buffer.concat([Buffer.from('"ok'), Buffer.from(mutation.bytes), Buffer.from('"')]);
      return Buffer.concat([Buffer.from(before), middle, Buffer.from(after)]);
    }
    case 'duplicate-key': {
      const key = keyAt(keys, mutation.pick) ?? 'description';
      const text = JSON.stringify(object);
      const extra = `${JSON.stringify(key)}:${JSON.stringify(mutation.value)}`;
      return Buffer.from(text === '{}' ? `{${extra}}` : `{${extra},${text.slice(1)}`);
    }
    case 'extra-field': {
      const text = JSON.stringify(object);
      const extra = `${JSON.stringify(mutation.name)}:${JSON.stringify(mutation.value)}`;
      return Buffer.from(text === '{}' ? `{${extra}}` : `{${extra},${text.slice(1)}`);
    }
    case 'whole-body':
      return Buffer.from(mutation.text);
    case 'oversized':
      return Buffer.from(JSON.stringify({ ...object, description: 'x'.repeat(maxBodyBytes + 10) }));
  }
};

/** Query strings: generated parameters, then maybe duplicated, unknown, huge or badly encoded ones. */
export const QUERY_NOISE = [
  'limit=-1',
  'limit=1e999',
  'limit=99999999999999999999',
  'limit=NaN',
  'cursor=%ff%fe',
  'cursor=eyJwayI6IkNBU0UjeCJ9',
  'cursor=__proto__',
  'status[$ne]=x',
  '__proto__[polluted]=1',
  'status=closed&status=open',
  `q=${'x'.repeat(10_000)}`,
  'overdue=maybe',
  '%ff=1',
  'a=%E4%B8',
  '=',
  '&&&',
  'start_date=2020-13-45T99:99:99Z',
  'end_date=not-a-date',
  'service_request_id=%27%20OR%201%3D1',
  'lat=NaN&long=Infinity',
];
