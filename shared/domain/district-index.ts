import type { Category, Department, DistrictConfig, Zone } from '../district/schema';

/** Lookups over a validated district, built once per process (cold start). */
export interface DistrictIndex {
  config: DistrictConfig;
  category(code: string): Category | undefined;
  department(id: string): Department | undefined;
  zone(id: string): Zone | undefined;
}

export const indexDistrict = (config: DistrictConfig): DistrictIndex => {
  const categories = new Map(config.categories.map((c) => [c.code, c]));
  const departments = new Map(config.departments.map((d) => [d.id, d]));
  const zones = new Map(config.zones.map((z) => [z.id, z]));
  return {
    config,
    category: (code) => categories.get(code),
    department: (id) => departments.get(id),
    zone: (id) => zones.get(id),
  };
};
