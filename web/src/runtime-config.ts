/**
 * Settings the built app reads at run time from `/config.json`, so one build serves every
 * district: on AWS the stack writes that file next to the app (API URL, identity provider);
 * locally there is none and the API is the same origin with demo sign-in.
 */
export interface RuntimeConfig {
  /** Where the HTTP API is; '' means the page's own origin (the local cloud serves both). */
  apiBaseUrl: string;
  auth: 'local' | 'oidc';
  /** Poll interval of the live views, ms (≤ 5 s: the cockpit promises updates within 5 s). */
  refreshMs: number;
}

const DEFAULTS: RuntimeConfig = { apiBaseUrl: '', auth: 'local', refreshMs: 2_000 };

export const loadRuntimeConfig = async (): Promise<RuntimeConfig> => {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) return DEFAULTS;
    const body = (await response.json()) as Partial<RuntimeConfig>;
    return {
      apiBaseUrl: typeof body.apiBaseUrl === 'string' ? body.apiBaseUrl.replace(/\/$/, '') : '',
      auth: body.auth === 'oidc' ? 'oidc' : 'local',
      refreshMs: Math.min(5_000, Math.max(1_000, Number(body.refreshMs) || DEFAULTS.refreshMs)),
    };
  } catch {
    return DEFAULTS;
  }
};
