import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type XmlValue, xmlDocument } from './xml';

/** XML is the spec's required format; JSON is offered too (discovery says so). */
export const FORMATS = ['xml', 'json'] as const;
export type Open311Format = (typeof FORMATS)[number];

export const CONTENT_TYPES: Record<Open311Format, string> = {
  xml: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export interface ResourceFile {
  /** The resource name without its extension: `services`, `requests`, a service code, a request id. */
  name: string;
  format: Open311Format;
}

/**
 * `requests.json` → { name: 'requests', format: 'json' }. The last dot separates the format, so
 * service codes with dots (`event.fire-smoke.xml`) keep theirs. Undefined for a missing or unknown
 * extension: the caller answers 404 in XML, the required format.
 */
export const parseResourceFile = (file: string | undefined): ResourceFile | undefined => {
  if (!file) return undefined;
  const decoded = safeDecode(file);
  const dot = decoded.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const extension = decoded.slice(dot + 1).toLowerCase();
  const format = FORMATS.find((f) => f === extension);
  return format ? { name: decoded.slice(0, dot), format } : undefined;
};

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Lists are JSON arrays and XML `<root><item>…`; single documents are objects and `<root>…`. */
export const open311Response = (
  statusCode: number,
  format: Open311Format,
  root: string,
  body: XmlValue,
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': CONTENT_TYPES[format] },
  body: format === 'json' ? JSON.stringify(body) : xmlDocument(root, body),
});
