/**
 * The end-to-end tests' HTTP client for a running local cloud: JSON in, JSON (or nothing) out,
 * a bearer token when given. Replies are read field by field as the API sends them, hence `any`
 * in this one place rather than in every test.
 */
export interface CloudReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON replies
  body: any;
}

export interface CloudRequest {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A reply's status and its JSON body (undefined when empty). */
export const readReply = async (response: Response): Promise<CloudReply> => {
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

/** `api(path, options)` against the cloud at `baseUrl()` (read at call time: clouds restart). */
export const cloudClient =
  (baseUrl: () => string) =>
  async (path: string, options: CloudRequest = {}): Promise<CloudReply> =>
    readReply(
      await fetch(`${baseUrl()}${path}`, {
        method: options.method ?? 'GET',
        headers: {
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      }),
    );
