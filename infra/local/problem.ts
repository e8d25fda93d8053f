import type { ServerResponse } from 'node:http';

/** RFC 9457 problem details for what the gateway itself refuses (the handlers shape their own). */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  type?: string;
}

const TYPES: Record<number, string> = {
  401: 'urn:xietong:problem:unauthorized',
  403: 'urn:xietong:problem:forbidden',
  404: 'urn:xietong:problem:route-not-found',
  405: 'urn:xietong:problem:method-not-allowed',
  413: 'urn:xietong:problem:payload-too-large',
  500: 'urn:xietong:problem:internal',
  503: 'urn:xietong:problem:unavailable',
};

export const writeProblem = (
  response: ServerResponse,
  problem: Problem,
  headers: Record<string, string> = {},
): void => {
  const body = JSON.stringify({
    type: problem.type ?? TYPES[problem.status] ?? 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
  });
  response.writeHead(problem.status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};
