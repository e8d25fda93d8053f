import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ForbiddenActionError, SourceNotAllowedError, UnauthenticatedError } from '../domain/errors';
import { toProblem } from '../http/problem';
import { type Open311Format, open311Response } from './format';

/** A refusal the spec names: its HTTP status and a description for the client. */
export class Open311Error extends Error {
  override readonly name = 'Open311Error';
  constructor(
    readonly status: 400 | 403 | 404,
    readonly description: string,
  ) {
    super(description);
  }
}

export interface Open311Refusal {
  status: number;
  description: string;
}

/**
 * Any error as the spec's error list. Named errors keep the meaning `toProblem` gives them, folded
 * into the spec's codes: identity problems are 403, any other refusal of the input is 400 (the
 * spec's "general service error"); a 429 stays a 429; anything unexpected is a bare 500.
 */
export const open311RefusalOf = (error: unknown): Open311Refusal => {
  if (error instanceof Open311Error) return { status: error.status, description: error.description };
  if (
    error instanceof UnauthenticatedError ||
    error instanceof ForbiddenActionError ||
    error instanceof SourceNotAllowedError
  ) {
    return { status: 403, description: error.message };
  }
  const problem = toProblem(error);
  if (problem.status >= 500) return { status: 500, description: problem.detail };
  if (problem.status === 404 || problem.status === 429)
    return { status: problem.status, description: problem.detail };
  const details = problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  return { status: 400, description: details || problem.detail };
};

/** `[{"code":400,"description":"…"}]` or `<errors><error><code>400</code>…`. */
export const open311ErrorResponse = (
  refusal: Open311Refusal,
  format: Open311Format,
): APIGatewayProxyStructuredResultV2 =>
  open311Response(refusal.status, format, 'errors', [
    { code: refusal.status, description: refusal.description },
  ]);
