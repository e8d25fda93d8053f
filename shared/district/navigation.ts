import * as z from '../validation/zod';

/**
 * Which map app the field page's 导航 opens at a case. Case positions are WGS-84; each provider
 * gets them in the datum its URI API reads (高德 takes WGS-84 as given, 百度 and 腾讯 GCJ-02).
 */
export const NAVIGATION_PROVIDERS = ['amap', 'baidu', 'tencent', 'geo', 'custom'] as const;

/** A custom link opens a web page or the phone's chooser, never script (`javascript:`, `data:`). */
const TEMPLATE_SCHEMES = /^(https:\/\/|geo:)/;

/** Built on first use, like the district's own schemas (`districtSchemas`): no zod at cold start. */
const buildNavigationSchema = () =>
  z
    .strictObject({
      /**
       * `amap` 高德 (the default), `baidu` 百度, `tencent` 腾讯: their web URI APIs, which open the app
       * when installed; `geo`: a `geo:` URI (RFC 5870), the phone's own chooser (Android);
       * `custom`: `urlTemplate`.
       */
      provider: z._default(z.enum(NAVIGATION_PROVIDERS), 'amap'),
      /** Who is calling, as the URI APIs ask: 高德's and 百度's `src`, 腾讯's `referer` (its developer key). */
      source: z._default(
        z.string().check(z.regex(/^[A-Za-z0-9._-]{1,80}$/, 'letters, digits, dot, dash and underscore')),
        'xietong',
      ),
      /** `custom` only: an https (or geo:) link with `{lat}`, `{lng}` and optionally `{name}`. */
      urlTemplate: z.optional(z.string().check(z.maxLength(500))),
      /** `custom` only: the datum `{lat}` and `{lng}` are given in. */
      coordinate: z._default(z.enum(['wgs84', 'gcj02']), 'wgs84'),
    })
    .check(
      z.superRefine((settings, ctx) => {
        const template = settings.urlTemplate;
        if (settings.provider !== 'custom') {
          if (template !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['urlTemplate'],
              message: 'a URL template needs provider "custom"',
            });
          }
          return;
        }
        if (template === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['urlTemplate'],
            message: 'provider "custom" needs urlTemplate',
          });
          return;
        }
        if (!TEMPLATE_SCHEMES.test(template) || !template.includes('{lat}') || !template.includes('{lng}')) {
          ctx.addIssue({
            code: 'custom',
            path: ['urlTemplate'],
            message: 'an https:// or geo: link containing {lat} and {lng}',
          });
        }
      }),
    );

export const DEFAULT_NAVIGATION: NavigationSettings = {
  provider: 'amap',
  source: 'xietong',
  coordinate: 'wgs84',
};

let built: ReturnType<typeof buildNavigationSchema> | undefined;
export const navigationSchema = () => (built ??= buildNavigationSchema());

export type NavigationSettings = z.infer<ReturnType<typeof buildNavigationSchema>>;
