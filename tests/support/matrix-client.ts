import type { Zone } from '../../shared/district/schema';
import type { GeoPoint } from '../../shared/domain/case';
import { pointInPolygon } from '../../shared/domain/geo';

/**
 * Plumbing for the access-matrix end-to-end test: a small HTTP client that keeps the raw body
 * (leak checks search the exact bytes the server sent), bounded concurrency, and a point in a zone.
 */

export interface Reply<T = unknown> {
  status: number;
  contentType: string;
  headers: Headers;
  /** The body exactly as received. */
  text: string;
  /** The body parsed as JSON (undefined when empty, the text when not JSON). */
  body: T;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent verbatim as the Authorization header (wins over `token`). */
  authorization?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Api = <T = unknown>(path: string, options?: RequestOptions) => Promise<Reply<T>>;

export const httpClient =
  (baseUrl: string): Api =>
  async <T = unknown>(path: string, options: RequestOptions = {}): Promise<Reply<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      headers: response.headers,
      text,
      body: body as T,
    };
  };

/** Runs the tasks `size` at a time, results in task order. */
export const inChunks = async <T>(tasks: (() => Promise<T>)[], size = 20): Promise<T[]> => {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += size) {
    results.push(...(await Promise.all(tasks.slice(i, i + size).map((task) => task()))));
  }
  return results;
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mean of a (convex) zone's corners, checked to lie inside it. */
export const pointInZone = (zone: Zone): GeoPoint => {
  const corners = (zone.boundary.coordinates[0] ?? []).slice(0, -1);
  const point = {
    lat: Number((corners.reduce((sum, p) => sum + (p[1] ?? 0), 0) / corners.length).toFixed(6)),
    lng: Number((corners.reduce((sum, p) => sum + (p[0] ?? 0), 0) / corners.length).toFixed(6)),
  };
  if (!pointInPolygon(point, zone.boundary)) throw new Error(`no inner point found for zone ${zone.id}`);
  return point;
};

/**
 * The n-th of a grid of points ~120 m apart around the zone's middle: reports at different
 * points are different events, so the platform's duplicate check leaves each its own case.
 */
export const spreadPointInZone = (zone: Zone, n: number): GeoPoint => {
  const centre = pointInZone(zone);
  const point = {
    lat: Number((centre.lat + ((n % 9) - 4) * 0.0011).toFixed(6)),
    lng: Number((centre.lng + ((Math.floor(n / 9) % 9) - 4) * 0.0013).toFixed(6)),
  };
  if (!pointInPolygon(point, zone.boundary)) throw new Error(`grid point ${n} falls outside zone ${zone.id}`);
  return point;
};
