import type { NavigationSettings } from '../../../shared/district/navigation';
import type { GeoPoint } from '../../../shared/domain/case';
import { wgs84ToGcj02 } from '../../../shared/domain/geo';

/** Where 导航 goes: the case's WGS-84 position and what the map app labels it. */
export interface NavigationTarget extends GeoPoint {
  name: string;
}

/**
 * The schema's default, for an API older than the page that sends no navigation settings. Written
 * out rather than imported: the schema module brings zod into the phone's bundle.
 */
export const FALLBACK_NAVIGATION: NavigationSettings = {
  provider: 'amap',
  source: 'xietong',
  coordinate: 'wgs84',
};

/** Six decimals is ~0.1 m; no trailing zeros. */
const degrees = (value: number) => String(Number(value.toFixed(6)));
const encode = encodeURIComponent;

/**
 * The link that opens the district's map app at a case. 高德 is told the point is WGS-84
 * (`coordinate=wgs84`); 百度 and 腾讯 get it shifted to GCJ-02 here, the datum both read
 * (`coord_type=gcj02`, `coord_type=2`); `geo:` is WGS-84 by definition (RFC 5870).
 */
export const navigationUrl = (settings: NavigationSettings, target: NavigationTarget): string => {
  const gcj = () => wgs84ToGcj02(target);
  const name = encode(target.name);
  const source = encode(settings.source);
  switch (settings.provider) {
    case 'amap':
      return `https://uri.amap.com/marker?position=${degrees(target.lng)},${degrees(target.lat)}&name=${name}&src=${source}&coordinate=wgs84&callnative=1`;
    case 'baidu': {
      const { lat, lng } = gcj();
      return `https://api.map.baidu.com/marker?location=${degrees(lat)},${degrees(lng)}&title=${name}&content=${name}&output=html&coord_type=gcj02&src=${source}`;
    }
    case 'tencent': {
      const { lat, lng } = gcj();
      return `https://apis.map.qq.com/uri/v1/marker?marker=coord:${degrees(lat)},${degrees(lng)};title:${name};addr:${name}&coord_type=2&referer=${source}`;
    }
    case 'geo':
      return `geo:${degrees(target.lat)},${degrees(target.lng)}?q=${degrees(target.lat)},${degrees(target.lng)}(${name})`;
    case 'custom': {
      const { lat, lng } = settings.coordinate === 'gcj02' ? gcj() : target;
      // The schema requires a template for `custom`; a file that skipped validation gets 高德.
      if (!settings.urlTemplate) return navigationUrl({ ...settings, provider: 'amap' }, target);
      return settings.urlTemplate
        .replaceAll('{lat}', degrees(lat))
        .replaceAll('{lng}', degrees(lng))
        .replaceAll('{name}', name);
    }
  }
};

/** A web link opens in a new tab (which hands over to the app); `geo:` goes straight to the phone. */
export const opensInNewTab = (url: string): boolean => url.startsWith('https://');
