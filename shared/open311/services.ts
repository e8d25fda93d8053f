import type { Category } from '../district/schema';
import type { DistrictIndex } from '../domain/district-index';
import { Open311Error } from './errors';
import type { XmlRecord } from './xml';

/** Where the GeoReport v2 specification lives; discovery names it for each endpoint. */
export const GEOREPORT_V2_SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';

/** When the service list last changed shape (bump with a category change that clients must see). */
export const OPEN311_CHANGESET = '2026-01-01T00:00:00Z';

export interface Open311Service extends XmlRecord {
  service_code: string;
  service_name: string;
  description: string;
  /** No category asks for extra fields: a client never needs the service definition to post. */
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

/** A district category is an Open311 service; the case is created at once, so the type is realtime. */
export const serviceOf = (category: Category): Open311Service => ({
  service_code: category.code,
  service_name: category.name.zh,
  description: category.description,
  metadata: false,
  type: 'realtime',
  keywords: [...new Set([category.name.en, ...category.keywords])].join(', '),
  group: category.subgroup.zh,
});

export const serviceList = (district: DistrictIndex): Open311Service[] =>
  district.config.categories.map(serviceOf);

/** The service definition: the spec's attributes; none of our categories needs any. */
export const serviceDefinition = (district: DistrictIndex, serviceCode: string): XmlRecord => {
  const category = district.category(serviceCode);
  if (!category) throw new Open311Error(404, `service_code "${serviceCode}" was not found`);
  return { service_code: category.code, attributes: [] };
};

export const discoveryDocument = (district: DistrictIndex, endpointUrl: string): XmlRecord => ({
  changeset: OPEN311_CHANGESET,
  contact: `${district.config.name.zh}综合指挥中心 / ${district.config.name.en} command centre`,
  key_service: `向${district.config.name.zh}综合指挥中心申请集成密钥 (source: open311) / Ask the command centre for an integration key`,
  endpoints: [
    {
      specification: GEOREPORT_V2_SPECIFICATION,
      url: endpointUrl,
      changeset: OPEN311_CHANGESET,
      type: 'production',
      formats: ['text/xml', 'application/json'],
    },
  ],
});
