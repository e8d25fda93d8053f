import type { ReportInput } from '../domain/report';
import { fromZodError } from '../http/problem';
import { ReportBody } from '../http/schemas';
import { Open311Error } from './errors';

/** A POST requests body (application/x-www-form-urlencoded), its fields as the spec names them. */
export interface Open311Form {
  apiKey?: string;
  jurisdictionId?: string;
  fields: Map<string, string>;
  /** `attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2`, by code. */
  attributes: Map<string, string[]>;
}

const ATTRIBUTE = /^attribute\[([^\]]{1,80})\](\[\])?$/;

export const parseForm = (body: string): Open311Form => {
  const fields = new Map<string, string>();
  const attributes = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(body)) {
    const attribute = ATTRIBUTE.exec(name);
    if (attribute?.[1]) {
      attributes.set(attribute[1], [...(attributes.get(attribute[1]) ?? []), value]);
    } else if (value.trim() !== '' && !fields.has(name)) {
      // An empty parameter is an absent one ("Optional Arguments").
      fields.set(name, value.trim());
    }
  }
  const apiKey = fields.get('api_key');
  const jurisdictionId = fields.get('jurisdiction_id');
  fields.delete('api_key');
  return {
    ...(apiKey !== undefined && { apiKey }),
    ...(jurisdictionId !== undefined && { jurisdictionId }),
    fields,
    attributes,
  };
};

const coordinate = (form: Open311Form, name: 'lat' | 'long'): number | undefined => {
  const raw = form.fields.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Open311Error(400, `${name} must be a number (WGS84 degrees)`);
  return value;
};

const HAN = /\p{Script=Han}/u;

/** 王 + 芳 → 王芳; John + Smith → John Smith. */
const reporterName = (first?: string, last?: string): string | undefined => {
  if (!first && !last) return undefined;
  if (first && last) return HAN.test(first + last) ? `${last}${first}` : `${first} ${last}`;
  return first ?? last;
};

/**
 * The form as a report of the `open311` source. The case needs a point to be routed, so lat/long are
 * required: an address_string is kept as the case's address, an address_id alone can't be placed.
 * The media URL and attribute answers travel in the description (cases keep no attachments yet);
 * email, device_id and account_id are not kept (no field for them, and not needed to handle the case).
 */
export const reportInputOf = (form: Open311Form, serviceName: string): ReportInput => {
  const lat = coordinate(form, 'lat');
  const lng = coordinate(form, 'long');
  if (lat === undefined || lng === undefined) {
    throw new Open311Error(
      400,
      form.fields.has('address_string') || form.fields.has('address_id')
        ? 'lat and long are required: this jurisdiction cannot place an address_string or address_id alone'
        : 'a location is required: lat and long (WGS84)',
    );
  }
  const serviceCode = form.fields.get('service_code');
  const extras = [
    ...[...form.attributes].map(([code, values]) => `[${code}] ${values.join(', ')}`),
    ...(form.fields.has('media_url') ? [`[media_url] ${form.fields.get('media_url')}`] : []),
  ];
  const description = [form.fields.get('description') ?? serviceName, ...extras].join('\n');
  const name = reporterName(form.fields.get('first_name'), form.fields.get('last_name'));
  const phone = form.fields.get('phone');
  const address = form.fields.get('address_string');
  const candidate = {
    source: 'open311',
    ...(serviceCode !== undefined && { category: serviceCode }),
    description,
    location: { lat, lng, crs: 'wgs84', ...(address !== undefined && { address }) },
    ...((name !== undefined || phone !== undefined) && {
      reporter: { ...(name !== undefined && { name }), ...(phone !== undefined && { phone }) },
    }),
  };
  const parsed = ReportBody().safeParse(candidate);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
};
