import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  CameraExistsError,
  CameraNotFoundError,
  CaseNotClosedError,
  CaseNotFoundError,
  DomainError,
  ExportJobNotFoundError,
  ExportTooLargeError,
  ForbiddenActionError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  IllegalVisitTransitionError,
  IntegrationKeyNotFoundError,
  InvalidInputError,
  JointVisitNotFoundError,
  RateLimitExceededError,
  SignatureRejectedError,
  SourceNotAllowedError,
  SubscriptionNotFoundError,
  TicketNotFoundError,
  UnauthenticatedError,
  VersionConflictError,
} from '../domain/errors';
import type { z } from '../validation/zod';

/** One field that broke one rule. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** RFC 9457 problem details, extended with the list of field problems. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  instance?: string;
}

/** A request the edge refuses before any use case runs (bad JSON, bad content type, schema errors). */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly errors: FieldProblem[],
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/** A key as a field name: the empty key `""` is shown quoted, so the problem still names it. */
const fieldName = (key: string) => (key === '' ? '""' : key);

const zodIssueToProblem =
  (prefix: string) =>
  (issue: z.core.$ZodIssue): FieldProblem[] => {
    const base = [prefix, ...issue.path.map((key) => fieldName(String(key)))].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${fieldName(key)}` : fieldName(key),
        rule: 'unrecognized_key',
        message: `unknown field "${key}"`,
      }));
    }
    return [{ field: base || prefix || '(body)', rule: issue.code, message: issue.message }];
  };

export const fromZodError = (error: z.core.$ZodError, prefix = ''): RequestError =>
  new RequestError(400, 'Invalid request', error.issues.flatMap(zodIssueToProblem(prefix)));

const STATUS_BY_ERROR: [new (...args: never[]) => DomainError, number, string][] = [
  [CaseNotFoundError, 404, 'Case not found'],
  [VersionConflictError, 409, 'Version conflict'],
  [IllegalTransitionError, 409, 'Not allowed in the current status'],
  [CaseNotClosedError, 409, 'The case is not closed'],
  [TicketNotFoundError, 404, 'Ticket not found'],
  [IllegalVisitTransitionError, 409, 'Not allowed in the current status'],
  [JointVisitNotFoundError, 404, 'Joint visit not found'],
  [ForbiddenActionError, 403, 'Forbidden'],
  [UnauthenticatedError, 401, 'Unauthenticated'],
  [IdempotencyKeyReusedError, 422, 'Idempotency-Key reused'],
  [InvalidInputError, 422, 'Unprocessable request'],
  [IntegrationKeyNotFoundError, 404, 'Integration key not found'],
  [SourceNotAllowedError, 403, 'Forbidden'],
  [RateLimitExceededError, 429, 'Too many requests'],
  [SignatureRejectedError, 401, 'Signature refused'],
  [SubscriptionNotFoundError, 404, 'Subscription not found'],
  [CameraNotFoundError, 404, 'Camera not found'],
  [CameraExistsError, 409, 'Camera already registered'],
  [ExportJobNotFoundError, 404, 'Export job not found'],
];

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The one place errors become HTTP: named errors get their status, anything else is a 500 without details. */
export const toProblem = (error: unknown): Problem => {
  if (error instanceof RequestError) {
    return {
      type: `urn:xietong:problem:${slug(error.title)}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      errors: error.errors,
    };
  }
  // Refused as a request error before the use case was shared, and documented so: the same problem.
  if (error instanceof ExportTooLargeError) {
    return toProblem(
      new RequestError(413, 'Export too large', [
        { field: 'query', rule: error.rule, message: error.message },
      ]),
    );
  }
  if (error instanceof DomainError) {
    const [, status, title] = STATUS_BY_ERROR.find(([type]) => error instanceof type) ?? [
      DomainError,
      400,
      'Bad request',
    ];
    return {
      type: `urn:xietong:problem:${error.rule.replace(/_/g, '-')}`,
      title,
      status,
      detail: error.message,
      errors: [{ field: error.field ?? '(request)', rule: error.rule, message: error.message }],
    };
  }
  return {
    type: 'urn:xietong:problem:internal',
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed; it has been logged.',
  };
};

/** Headers a refusal carries besides its body: when to retry after a rate limit. */
export const problemHeaders = (error: unknown): Record<string, string> =>
  error instanceof RateLimitExceededError ? { 'retry-after': String(error.retryAfterSeconds) } : {};

export const problemResponse = (
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify(problem),
});
