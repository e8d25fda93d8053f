/**
 * IAM identity-policy evaluation for the local cloud, limited to what a role's own policies can
 * say: Effect, Action / NotAction, Resource / NotResource, with `*` and `?` wildcards. An explicit
 * Deny wins over any Allow; no Allow is an implicit deny. Conditions are evaluated for the context
 * keys the local cloud knows (EVALUATED_CONDITION_KEYS) with the String and Bool operators; a
 * condition on any other key is taken as holding (see infra/local/README.md).
 */

/** The request context keys the local cloud can supply (requests.ts). */
export const EVALUATED_CONDITION_KEYS = new Set(['dynamodb:leadingkeys']);

/** Condition operator → context key → the policy's values. */
export type Conditions = Record<string, Record<string, unknown>>;

/** The request's context: key (lower case) → its values; absent keys are missing. */
export type RequestContext = Record<string, string[]>;

export interface Statement {
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  conditions?: Conditions;
  /** Where the statement came from (policy logical id and Sid), for messages. */
  origin: string;
}

export type Decision =
  | { effect: 'allow'; statement: Statement }
  | { effect: 'explicitDeny'; statement: Statement }
  | { effect: 'implicitDeny' };

const patternCache = new Map<string, RegExp>();

/** An IAM wildcard pattern as a regular expression: `*` any run of characters, `?` exactly one. */
const wildcard = (pattern: string, caseInsensitive: boolean): RegExp => {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regex = patternCache.get(cacheKey);
  if (!regex) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
    patternCache.set(cacheKey, regex);
  }
  return regex;
};

/** Action names are case-insensitive in IAM (`dynamodb:getitem` matches `dynamodb:GetItem`). */
export const actionMatches = (pattern: string, action: string): boolean =>
  wildcard(pattern, true).test(action);

/** ARNs are matched case-sensitively. */
export const resourceMatches = (pattern: string, resource: string): boolean =>
  wildcard(pattern, false).test(resource);

const coversAction = (statement: Statement, action: string): boolean => {
  if (statement.actions) return statement.actions.some((pattern) => actionMatches(pattern, action));
  if (statement.notActions) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
  return false;
};

const coversResource = (statement: Statement, resource: string): boolean => {
  if (statement.resources) return statement.resources.some((pattern) => resourceMatches(pattern, resource));
  if (statement.notResources) {
    return !statement.notResources.some((pattern) => resourceMatches(pattern, resource));
  }
  return false;
};

const stringMatch = (base: string, pattern: string, value: string): boolean =>
  base.endsWith('Like')
    ? wildcard(pattern, false).test(value)
    : base.includes('IgnoreCase')
      ? pattern.toLowerCase() === value.toLowerCase()
      : pattern === value;

/** One operator on one key, or undefined when the local cloud cannot evaluate it. */
const conditionHolds = (
  operator: string,
  patterns: string[],
  values: string[] | undefined,
): boolean | undefined => {
  const [qualifier, rest] = operator.includes(':')
    ? (operator.split(':') as [string, string])
    : ['', operator];
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const negated = base.includes('Not');
  if (!/^String(Not)?(Equals|Like)(IgnoreCase)?$|^Bool$/.test(base)) return undefined;
  // A missing key: IfExists and ForAllValues hold (as on AWS), negated operators hold, others fail.
  if (values === undefined) return ifExists || qualifier === 'ForAllValues' || negated;
  const matches = (value: string) =>
    patterns.some((pattern) => stringMatch(base.replace('Not', ''), pattern, value));
  const positive =
    qualifier === 'ForAllValues'
      ? values.every(matches)
      : qualifier === 'ForAnyValue'
        ? values.some(matches)
        : values.length > 0 && matches(values[0] as string);
  return negated ? !positive : positive;
};

/** Whether every condition of a statement holds; keys the local cloud cannot supply count as holding. */
export const conditionsHold = (conditions: Conditions | undefined, context: RequestContext): boolean =>
  Object.entries(conditions ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, raw]) => {
      const lower = key.toLowerCase();
      if (!EVALUATED_CONDITION_KEYS.has(lower)) return true;
      const patterns = (Array.isArray(raw) ? raw : [raw]).map(String);
      return conditionHolds(operator, patterns, context[lower]) ?? true;
    }),
  );

/**
 * The statements of a policy that name an action and a resource, per policy: every SDK call of a
 * burst asks about the same few tables and queues, and matching each statement's patterns again
 * was a noticeable share of the local cloud's CPU. Bounded: S3 object ARNs are endless.
 */
const covering = new WeakMap<Statement[], Map<string, Statement[]>>();
const MAX_COVERED = 5_000;

const statementsCovering = (statements: Statement[], action: string, resource: string): Statement[] => {
  let byAccess = covering.get(statements);
  if (!byAccess) {
    byAccess = new Map();
    covering.set(statements, byAccess);
  }
  const key = `${action} ${resource}`;
  let found = byAccess.get(key);
  if (!found) {
    found = statements.filter((s) => coversAction(s, action) && coversResource(s, resource));
    if (byAccess.size >= MAX_COVERED) byAccess.clear();
    byAccess.set(key, found);
  }
  return found;
};

/** The decision of a set of identity-policy statements on one action and resource. */
export const decide = (
  statements: Statement[],
  action: string,
  resource: string,
  context: RequestContext = {},
): Decision => {
  let allowing: Statement | undefined;
  for (const statement of statementsCovering(statements, action, resource)) {
    if (!conditionsHold(statement.conditions, context)) continue;
    if (statement.effect === 'Deny') return { effect: 'explicitDeny', statement };
    allowing ??= statement;
  }
  return allowing ? { effect: 'allow', statement: allowing } : { effect: 'implicitDeny' };
};
