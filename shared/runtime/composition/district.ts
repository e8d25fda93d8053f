import { type DistrictIndex, indexDistrict } from '../../domain/district-index';
import { districtFrom } from '../config';

export const districtIndexFromEnv = (): DistrictIndex => indexDistrict(districtFrom());
