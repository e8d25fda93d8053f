import * as z from '../validation/zod';
import { isKnownTimeZone, workingCalendarSchema } from './calendar';
import { CAMERA_ID_PATTERN, CAMERA_STATUSES, isStreamUrl, STREAM_URL_MESSAGE } from './camera-input';
import { DEFAULT_NAVIGATION, navigationSchema } from './navigation';

/**
 * The schema every district file must satisfy. It is the single source for the district's types,
 * the validation at load time (`loadDistrict`) and the operator's `npm run district -- validate`.
 *
 * Built on first use (`districtSchemas()`), not at import: zod takes ~10 ms to construct it, and a
 * function's cold start never validates (the stack bundles the district in its parsed form, which
 * `loadDistrict` takes as it is). Only the synth, the CLI, the local cloud and the tests build it.
 */

const buildDistrictSchemas = () => {
  const id = z
    .string()
    .check(
      z.regex(
        /^[a-z][a-z0-9-]{1,40}$/,
        'must be lower-case letters, digits and dashes, starting with a letter',
      ),
    );

  const LocalizedName = z.object({
    zh: z.string().check(z.minLength(1), z.maxLength(60)),
    en: z.string().check(z.minLength(1), z.maxLength(120)),
  });

  /** [lng, lat] as GeoJSON orders them. */
  const Position = z.tuple([
    z.number().check(z.gte(-180), z.lte(180)),
    z.number().check(z.gte(-90), z.lte(90)),
  ]);

  const LinearRing = z.array(Position).check(
    z.minLength(4),
    z.refine((ring) => {
      const first = ring[0];
      const last = ring[ring.length - 1];
      return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
    }, 'a GeoJSON ring must be closed (first position equals last)'),
  );

  const PolygonGeometry = z.object({
    type: z.literal('Polygon'),
    coordinates: z.array(LinearRing).check(z.minLength(1)),
  });

  const DepartmentKind = z.enum(['specialist', 'joint-team', 'command-centre']);

  const Department = z.object({
    id,
    name: LocalizedName,
    kind: DepartmentKind,
    /** Where the department's notifications (assignments, escalations) are POSTed. */
    webhook: z.optional(z.url()),
  });

  const AreaChief = z.object({
    name: z.string().check(z.minLength(1), z.maxLength(60)),
    title: z.string().check(z.minLength(1), z.maxLength(60)),
    department: id,
    /** The chief's own notification webhook; else their department's. */
    webhook: z.optional(z.url()),
  });

  const Zone = z.object({
    id,
    name: LocalizedName,
    areaChief: AreaChief,
    boundary: PolygonGeometry,
  });

  const Priority = z.enum(['urgent', 'high', 'normal', 'low']);

  /** The two groups of the digital urban management standard: 部件 (components) and 事件 (events). */
  const CategoryGroup = z.enum(['component', 'event']);

  const CategoryCode = z
    .string()
    .check(z.regex(/^[a-z][a-z0-9.-]{1,60}$/, 'must be a lower-case dotted code'));

  const Category = z.object({
    code: CategoryCode,
    /**
     * Where the category sits in GB/T 30428.2: C (部件) or E (事件), the class, and the subclass
     * when it matches one (E0505 事件·街面秩序·机动车乱停放); absent for matters outside the standard.
     */
    standardCode: z.optional(
      z
        .string()
        .check(
          z.regex(/^[CE]\d{2}(\d{2})?$/, 'C or E, a two-digit class and optionally a two-digit subclass'),
        ),
    ),
    group: CategoryGroup,
    /** The standard's major class within the group, e.g. 市容环境 / city appearance. */
    subgroup: LocalizedName,
    name: LocalizedName,
    /** One line in Chinese; `descriptionEn` says the same in English. */
    description: z.string().check(z.minLength(1), z.maxLength(500)),
    descriptionEn: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
    keywords: z._default(
      z.array(z.string().check(z.minLength(1), z.maxLength(30))).check(z.maxLength(40)),
      [],
    ),
    lead: id,
    cooperating: z._default(z.array(id).check(z.maxLength(8)), []),
    priority: Priority,
    /** false for the 急难险重 events anyone trained can handle; those go to the joint team when urgent. */
    specialist: z.boolean(),
    deadlines: z.object({
      // Minutes; fractions are allowed (tests and drills run the ladder in seconds).
      acceptMinutes: z.number().check(z.positive(), z.lte(60 * 24 * 30)),
      handleMinutes: z.number().check(z.positive(), z.lte(60 * 24 * 90)),
    }),
    /** Dispatch at routing time, without waiting for an area chief (for events where minutes matter). */
    autoDispatch: z._default(z.boolean(), false),
    /** Deadlines (and the escalation ladder's delays) count working hours of the district calendar. */
    workingHours: z._default(z.boolean(), false),
  });

  /** A district's change to one catalogue entry: the fields it names replace the catalogue's. */
  const CategoryOverride = z.strictObject({
    name: z.optional(LocalizedName),
    description: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
    descriptionEn: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
    keywords: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(30))).check(z.maxLength(40))),
    /** A department of this district (not a role). */
    lead: z.optional(id),
    cooperating: z.optional(z.array(id).check(z.maxLength(8))),
    priority: z.optional(Priority),
    specialist: z.optional(z.boolean()),
    deadlines: z.optional(
      z.strictObject({
        acceptMinutes: z.optional(z.number().check(z.positive(), z.lte(60 * 24 * 30))),
        handleMinutes: z.optional(z.number().check(z.positive(), z.lte(60 * 24 * 90))),
      }),
    ),
    autoDispatch: z.optional(z.boolean()),
    workingHours: z.optional(z.boolean()),
  });

  /**
   * How a district uses the standard catalogue (`districts/catalogue.json`): which department plays
   * each of the catalogue's roles, which entries it switches off, and what it changes in others.
   * The district's own `categories` are added after the catalogue's.
   */
  const CatalogueUse = z.strictObject({
    /** The catalogue file, beside the district file (it is bundled beside it too). */
    extends: z
      .string()
      .check(
        z.regex(
          /^[a-z0-9][a-z0-9._-]*\.json$/,
          'a file name beside the district file, e.g. "catalogue.json"',
        ),
      ),
    /** Role → department; a role with a department of the same id needs no entry. */
    roles: z._default(z.record(id, id), {}),
    /** Catalogue entries this district does not handle. */
    off: z._default(z.array(CategoryCode).check(z.maxLength(300)), []),
    overrides: z._default(z.record(CategoryCode, CategoryOverride), {}),
  });

  const EscalationRecipient = z.enum(['area_chief', 'command_centre', 'town_leader']);

  const EscalationLevel = z.object({
    level: z.number().check(z.int(), z.gte(1), z.lte(9)),
    name: LocalizedName,
    notify: EscalationRecipient,
    /** Minutes after the missed deadline at which this level is reached. */
    afterMinutes: z.number().check(z.gte(0), z.lte(60 * 24 * 30)),
    /** The last level only: remind its recipient again every so often, a few times, then stop. */
    repeat: z.optional(
      z.object({
        everyMinutes: z.number().check(z.int(), z.gte(5), z.lte(60 * 24 * 7)),
        times: z.number().check(z.int(), z.gte(1), z.lte(20)),
      }),
    ),
  });

  /** Who 镇领导督办 reaches (the ladder's `town_leader`). */
  const TownLeader = z.object({
    name: z.string().check(z.minLength(1), z.maxLength(60)),
    title: z.string().check(z.minLength(1), z.maxLength(60)),
    webhook: z.optional(z.url()),
  });

  const JointTeamRemit = z.object({
    department: id,
    /** Priorities of non-specialist categories that the joint team takes over as lead. */
    priorities: z.array(Priority).check(z.minLength(1)),
    description: LocalizedName,
  });

  /** How duplicate reports are found and merged (one event, one case). */
  const DedupSettings = z
    .object({
      /** Reports further apart than this are different events, per category group. */
      radiusMetres: z._default(
        z.object({
          component: z.number().check(z.positive(), z.lte(600)),
          event: z.number().check(z.positive(), z.lte(600)),
        }),
        { component: 50, event: 100 },
      ),
      /** Only cases reported within this window are candidates. */
      windowHours: z._default(z.number().check(z.positive(), z.lte(24 * 30)), 72),
      /** Closed cases stay candidates this long after closing (a repeat of a just-fixed problem). */
      closedWithinHours: z._default(z.number().check(z.gte(0), z.lte(24 * 30)), 24),
      /** At or above: merged automatically. */
      autoMergeScore: z._default(z.number().check(z.gt(0), z.lte(1)), 0.8),
      /** At or above (and below auto): created, but flagged for review as a possible duplicate. */
      reviewScore: z._default(z.number().check(z.gt(0), z.lte(1)), 0.55),
    })
    .check(
      z.refine((d) => d.reviewScore < d.autoMergeScore, {
        message: 'reviewScore must be below autoMergeScore',
        path: ['reviewScore'],
      }),
    );

  /** 综合查一次: several departments' open cases at one premises become one visit. */
  const JointVisitSettings = z.object({
    /** `create`: the visit is made at once; `propose`: the command centre confirms it. */
    mode: z._default(z.enum(['create', 'propose', 'off']), 'create'),
  });

  /** How reports without a category are handled (the triage classifier). */
  const TriageSettings = z.object({
    /** At or above: the classifier's best category is applied and the report routed directly. */
    autoCategorizeScore: z._default(z.number().check(z.gt(0), z.lte(1)), 0.8),
    /**
     * For a district without a calibration set of its own: another district's, beside this file
     * (e.g. "sandun.calibration.json"), that chooses the threshold for this district's model. Its
     * reports of categories this district does not have are left out (`loadCalibrationSet`).
     */
    calibrationSet: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^[a-z][a-z0-9-]*\.calibration\.json$/,
            'another district’s calibration set beside the district file, e.g. "sandun.calibration.json"',
          ),
        ),
    ),
  });

  /** 回访: what a reporter's verdict on a closed case sets in motion. */
  const SatisfactionSettings = z.object({
    /**
     * A 不满意 verdict reopens the case for review, through the workflow's reopen (deadlines and
     * timers re-armed as for a manual reopen, back to the department that handled it).
     */
    reopenOnDissatisfied: z._default(z.boolean(), false),
    /** Why the district chose so, for whoever edits the file next. */
    note: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  });

  /** A named place the 12345 hotline's addresses may mention, with a point to route a ticket by. */
  const HotlinePlace = z.object({
    name: z.string().check(z.minLength(2), z.maxLength(80)),
    /** Other spellings of the same place (a road's old name, a community's short name). */
    aliases: z._default(
      z.array(z.string().check(z.minLength(2), z.maxLength(80))).check(z.maxLength(20)),
      [],
    ),
    lat: z.number().check(z.gte(-90), z.lte(90)),
    lng: z.number().check(z.gte(-180), z.lte(180)),
  });

  /**
   * The 12345 hotline adapter's tables, edited by the district: the platform's category texts (as it
   * sends them) mapped to ours, and the address gazetteer for tickets without coordinates.
   */
  const HotlineSettings = z.object({
    categories: z._default(
      z.record(z.string().check(z.minLength(1), z.maxLength(80)), z.string().check(z.minLength(1))),
      {},
    ),
    places: z._default(z.array(HotlinePlace).check(z.maxLength(2000)), []),
  });

  /** A stream link a browser can open: http(s), or a path on this platform (see `isStreamUrl`). */
  const StreamUrl = z
    .string()
    .check(z.minLength(1), z.maxLength(2048), z.refine(isStreamUrl, STREAM_URL_MESSAGE));

  /** A camera of the district registry, seeded from the district file (its zone is derived). */
  const CameraSeed = z.strictObject({
    id: z.string().check(z.regex(CAMERA_ID_PATTERN, 'letters, digits, dot, dash and underscore, at most 64')),
    name: z.string().check(z.minLength(1), z.maxLength(80)),
    location: z.strictObject({
      lat: z.number().check(z.gte(-90), z.lte(90)),
      lng: z.number().check(z.gte(-180), z.lte(180)),
    }),
    direction: z.optional(z.number().check(z.gte(0), z.lt(360))),
    fieldOfView: z.optional(z.number().check(z.gt(0), z.lte(360))),
    streamUrl: StreamUrl,
    owner: id,
    status: z._default(z.enum(CAMERA_STATUSES), 'online'),
  });

  /**
   * A host camera snapshots may be fetched from: a name (`vision.example.cn`), a subdomain pattern
   * (`*.vision.example.cn`, at least two labels after the star) or an IP literal. A bare string means
   * https to public addresses only; the object form may allow plain http or private addresses for
   * that host alone (a camera platform on the district's network, a local demo).
   */
  const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  const SnapshotHostName = z.string().check(
    z.maxLength(253),
    z.refine(
      (host) => (HOST_NAME.test(host) || /^\[[0-9a-f:.]+\]$/.test(host)) && !/^\*\.[^.]+$/.test(host),
      'a lower-case host name, *.<domain with a dot> or an IP literal ([…] for IPv6)',
    ),
  );
  const SnapshotHost = z.pipe(
    z.union([
      SnapshotHostName,
      z.strictObject({
        host: SnapshotHostName,
        /** Plain http to this host. */
        http: z._default(z.boolean(), false),
        /** The host may resolve to a private, loopback or link-local address (never on AWS: a local demo). */
        privateAddresses: z._default(z.boolean(), false),
      }),
    ]),
    z.transform((entry) =>
      typeof entry === 'string' ? { host: entry, http: false, privateAddresses: false } : entry,
    ),
  );

  /** Where camera snapshots may come from, and how many become evidence on one case. */
  const CameraSnapshotSettings = z.strictObject({
    /** The hosts snapshot URLs may name; an empty list means snapshots come by upload only. */
    hosts: z._default(z.array(SnapshotHost).check(z.maxLength(100)), []),
    /**
     * At most this many snapshots of camera alerts become attachments of one case: a storm merges
     * into one case, and each snapshot is a timeline entry on it (the case item has a size limit).
     */
    maxPerCase: z._default(z.number().check(z.int(), z.gte(1), z.lte(50)), 5),
  });

  /** Camera alerts as intake: which category each alert type reports, and how storms are absorbed. */
  const CameraAlertSettings = z.object({
    /** Alert type (as the video-analytics system names it) → category code of this district. */
    types: z.record(z.string().check(z.regex(/^[a-z][a-z0-9_.-]{0,40}$/)), z.string().check(z.minLength(1))),
    /** Alerts of one type from one camera within this window are one event (one case). */
    mergeWindowMinutes: z._default(z.number().check(z.int(), z.positive(), z.lte(24 * 60)), 60),
    /** At most this many alerts per camera, type and minute become reports; the rest are counted and coalesced. */
    maxReportsPerMinute: z._default(z.number().check(z.int(), z.positive(), z.lte(600)), 30),
    snapshots: z._default(CameraSnapshotSettings, { hosts: [], maxPerCase: 5 }),
  });

  /** Evidence from the field: how far from the case a photo may be taken, and whether resolving needs one. */
  const EvidenceSettings = z.object({
    /** A photo whose EXIF GPS is further than this from the case location is rejected. */
    maxDistanceMetres: z._default(z.number().check(z.int(), z.gte(50), z.lte(50_000)), 1000),
    /** How far ahead of the server clock a photo's EXIF time may be (phone clocks drift). */
    futureToleranceMinutes: z._default(z.number().check(z.int(), z.gte(0), z.lte(24 * 60)), 10),
    /** `resolve` needs at least one verified photo taken after dispatch (the result on site). */
    requireAfterPhotoToResolve: z._default(z.boolean(), false),
    /** How long an upload form stays valid. */
    uploadFormMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(60)), 10),
    /** A camera snapshot's alert may be at most this long before its report reached the platform. */
    snapshotMaxAgeMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(24 * 60)), 30),
  });

  /**
   * One raster layer of a base map: an XYZ template (`{z}`, `{x}`, `{y}`, optional `{s}` for a
   * subdomain) or a WMTS GetTile in key-value form with the same placeholders, e.g. 天地图's
   * `.../vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`.
   */
  const BasemapLayer = z.strictObject({
    id: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,30}$/, 'lowercase letters, digits and dashes')),
    url: z.string().check(
      z.regex(/^https?:\/\/[^/?#]+/, 'an http(s) URL'),
      z.refine((url) => ['{z}', '{x}', '{y}'].every((p) => url.includes(p)), 'needs {z}, {x} and {y}'),
      z.refine((url) => !/[?&](tk|key|token|ak)=[^{&]/i.test(url), 'no key in the URL: set keyParameter'),
    ),
    /** Values of `{s}` (e.g. "01234567" for 天地图's t0…t7). */
    subdomains: z.optional(z.string().check(z.regex(/^[a-z0-9]{1,16}$/))),
    /** A label layer (注记) drawn over the base layers. */
    label: z._default(z.boolean(), false),
  });

  /**
   * The base map under the cockpit's zones and cases. Tiles in `gcj02` (高德, 腾讯) are drawn with
   * every point shifted into GCJ-02; `wgs84` (天地图 is CGCS2000, within a metre of WGS-84) as they
   * are. A source that needs a key names its query parameter (天地图: `tk`): the key itself is a
   * deploy-time secret (an SSM parameter on AWS, `XIETONG_BASEMAP_KEY` locally), added by the
   * platform's tile path (`/basemap/<layer>/{z}/{x}/{y}`), never sent to the page.
   */
  const BasemapConfig = z.strictObject({
    crs: z.enum(['wgs84', 'gcj02']),
    layers: z.array(BasemapLayer).check(z.minLength(1), z.maxLength(4)),
    attribution: z.string().check(z.minLength(1), z.maxLength(200)),
    keyParameter: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,20}$/))),
    minZoom: z._default(z.number().check(z.int(), z.gte(0), z.lte(22)), 10),
    maxZoom: z._default(z.number().check(z.int(), z.gte(1), z.lte(22)), 18),
  });

  const IdentityConfig = z.object({
    /** OIDC issuer URL trusted by the HTTP API; absent means the stack creates a Cognito user pool. */
    issuer: z.optional(z.url()),
    audience: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    claims: z.optional(
      z.object({
        role: z._default(z.string().check(z.minLength(1)), 'role'),
        department: z._default(z.string().check(z.minLength(1)), 'department'),
        zone: z._default(z.string().check(z.minLength(1)), 'zone'),
      }),
    ),
  });

  const DistrictConfig = z
    .object({
      id,
      name: LocalizedName,
      timezone: z.string().check(z.minLength(1)),
      /** Reports further than this from every zone are refused as outside the district. */
      maxDistanceFromZonesKm: z._default(z.number().check(z.positive(), z.lte(100)), 5),
      commandCentre: id,
      jointTeam: JointTeamRemit,
      departments: z.array(Department).check(z.minLength(2), z.maxLength(60)),
      zones: z.array(Zone).check(z.minLength(1), z.maxLength(200)),
      /** After loading: the catalogue's active entries (see `catalogue`), then the district's own. */
      categories: z.array(Category).check(z.minLength(1), z.maxLength(300)),
      catalogue: z.optional(CatalogueUse),
      escalation: z.array(EscalationLevel).check(z.minLength(1), z.maxLength(9)),
      townLeader: z.optional(TownLeader),
      /** Working days and hours, for categories with `workingHours` (timezone: the district's). */
      calendar: z.optional(workingCalendarSchema()),
      identity: z.optional(IdentityConfig),
      dedup: z._default(DedupSettings, {
        radiusMetres: { component: 50, event: 100 },
        windowHours: 72,
        closedWithinHours: 24,
        autoMergeScore: 0.8,
        reviewScore: 0.55,
      }),
      jointVisits: z._default(JointVisitSettings, { mode: 'create' }),
      triage: z._default(TriageSettings, { autoCategorizeScore: 0.8 }),
      hotline: z._default(HotlineSettings, { categories: {}, places: [] }),
      satisfaction: z._default(SatisfactionSettings, { reopenOnDissatisfied: false }),
      /** The map app the field page's 导航 opens (default 高德, WGS-84). */
      navigation: z._default(navigationSchema(), DEFAULT_NAVIGATION),
      cameras: z.optional(z.array(CameraSeed).check(z.maxLength(5000))),
      cameraAlerts: z.optional(CameraAlertSettings),
      evidence: z._default(EvidenceSettings, {
        maxDistanceMetres: 1000,
        futureToleranceMinutes: 10,
        requireAfterPhotoToResolve: false,
        uploadFormMinutes: 10,
        snapshotMaxAgeMinutes: 30,
      }),
      /** Absent: the cockpit draws its schematic of the zones (offline, the demo). */
      basemap: z.optional(BasemapConfig),
    })
    .check(
      z.superRefine((district, ctx) => {
        const departmentIds = new Set(district.departments.map((d) => d.id));
        const mustBeDepartment = (value: string, path: (string | number)[]) => {
          if (!departmentIds.has(value)) {
            ctx.addIssue({ code: 'custom', path, message: `unknown department "${value}"` });
          }
        };
        const unique = (values: string[], path: string) => {
          const seen = new Set<string>();
          values.forEach((value, index) => {
            if (seen.has(value))
              ctx.addIssue({ code: 'custom', path: [path, index], message: `duplicate "${value}"` });
            seen.add(value);
          });
        };
        unique(
          district.departments.map((d) => d.id),
          'departments',
        );
        unique(
          district.zones.map((z) => z.id),
          'zones',
        );
        unique(
          district.categories.map((c) => c.code),
          'categories',
        );
        const categoryCodes = new Set(district.categories.map((c) => c.code));
        for (const [text, code] of Object.entries(district.hotline.categories)) {
          if (!categoryCodes.has(code)) {
            ctx.addIssue({
              code: 'custom',
              path: ['hotline', 'categories', text],
              message: `unknown category "${code}"`,
            });
          }
        }
        if (district.cameras) {
          unique(
            district.cameras.map((c) => c.id),
            'cameras',
          );
          district.cameras.forEach((camera, i) => {
            mustBeDepartment(camera.owner, ['cameras', i, 'owner']);
          });
        }
        for (const [type, code] of Object.entries(district.cameraAlerts?.types ?? {})) {
          if (!categoryCodes.has(code)) {
            ctx.addIssue({
              code: 'custom',
              path: ['cameraAlerts', 'types', type],
              message: `unknown category "${code}"`,
            });
          }
        }
        if (district.basemap) {
          unique(
            district.basemap.layers.map((l) => l.id),
            'basemap',
          );
        }
        mustBeDepartment(district.commandCentre, ['commandCentre']);
        mustBeDepartment(district.jointTeam.department, ['jointTeam', 'department']);
        district.zones.forEach((zone, i) => {
          mustBeDepartment(zone.areaChief.department, ['zones', i, 'areaChief', 'department']);
        });
        district.categories.forEach((category, i) => {
          mustBeDepartment(category.lead, ['categories', i, 'lead']);
          category.cooperating.forEach((dept, j) => {
            mustBeDepartment(dept, ['categories', i, 'cooperating', j]);
          });
          if (category.cooperating.includes(category.lead)) {
            ctx.addIssue({
              code: 'custom',
              path: ['categories', i, 'cooperating'],
              message: 'the lead department cannot also co-operate',
            });
          }
          if (category.deadlines.handleMinutes < category.deadlines.acceptMinutes) {
            ctx.addIssue({
              code: 'custom',
              path: ['categories', i, 'deadlines', 'handleMinutes'],
              message: 'the handling deadline cannot come before the acceptance deadline',
            });
          }
        });
        if (!isKnownTimeZone(district.timezone)) {
          ctx.addIssue({
            code: 'custom',
            path: ['timezone'],
            message: `unknown IANA timezone "${district.timezone}"`,
          });
        }
        district.categories.forEach((category, i) => {
          if (category.workingHours && !district.calendar) {
            ctx.addIssue({
              code: 'custom',
              path: ['categories', i, 'workingHours'],
              message: 'working-hours deadlines need the district calendar',
            });
          }
        });
        district.escalation.forEach((level, i) => {
          if (level.repeat && i !== district.escalation.length - 1) {
            ctx.addIssue({
              code: 'custom',
              path: ['escalation', i, 'repeat'],
              message: 'only the last level may repeat',
            });
          }
          if (level.notify === 'town_leader' && !district.townLeader) {
            ctx.addIssue({
              code: 'custom',
              path: ['escalation', i, 'notify'],
              message: 'the ladder notifies the town leader: name them in `townLeader`',
            });
          }
          if (level.level !== i + 1) {
            ctx.addIssue({
              code: 'custom',
              path: ['escalation', i, 'level'],
              message: `levels must count 1, 2, 3…`,
            });
          }
          const previous = district.escalation[i - 1];
          if (previous && level.afterMinutes <= previous.afterMinutes) {
            ctx.addIssue({
              code: 'custom',
              path: ['escalation', i, 'afterMinutes'],
              message: 'each level must come later than the one before',
            });
          }
        });
      }),
    );

  return {
    LocalizedName,
    PolygonGeometry,
    DepartmentKind,
    Department,
    AreaChief,
    Zone,
    Priority,
    CategoryGroup,
    CategoryCode,
    Category,
    CategoryOverride,
    CatalogueUse,
    EscalationRecipient,
    EscalationLevel,
    TownLeader,
    JointTeamRemit,
    DedupSettings,
    JointVisitSettings,
    TriageSettings,
    HotlinePlace,
    HotlineSettings,
    SatisfactionSettings,
    StreamUrl,
    CameraSeed,
    SnapshotHost,
    CameraSnapshotSettings,
    CameraAlertSettings,
    EvidenceSettings,
    BasemapLayer,
    BasemapConfig,
    IdentityConfig,
    DistrictConfig,
  };
};

export type DistrictSchemas = ReturnType<typeof buildDistrictSchemas>;

let built: DistrictSchemas | undefined;
/** The district file's schemas, built the first time they are asked for. */
export const districtSchemas = (): DistrictSchemas => (built ??= buildDistrictSchemas());

export type DistrictConfig = z.infer<DistrictSchemas['DistrictConfig']>;
export type Department = z.infer<DistrictSchemas['Department']>;
export type Zone = z.infer<DistrictSchemas['Zone']>;
export type Category = z.infer<DistrictSchemas['Category']>;
export type CategoryOverride = z.infer<DistrictSchemas['CategoryOverride']>;
export type CatalogueUse = z.infer<DistrictSchemas['CatalogueUse']>;
export type Priority = z.infer<DistrictSchemas['Priority']>;
export type EscalationLevel = z.infer<DistrictSchemas['EscalationLevel']>;
export type EscalationRecipient = z.infer<DistrictSchemas['EscalationRecipient']>;
export type LocalizedName = z.infer<DistrictSchemas['LocalizedName']>;
export type PolygonGeometry = z.infer<DistrictSchemas['PolygonGeometry']>;
export type DedupSettings = z.infer<DistrictSchemas['DedupSettings']>;
export type TriageSettings = z.infer<DistrictSchemas['TriageSettings']>;
export type CameraSeed = z.infer<DistrictSchemas['CameraSeed']>;
export type CameraAlertSettings = z.infer<DistrictSchemas['CameraAlertSettings']>;
export type BasemapConfig = z.infer<DistrictSchemas['BasemapConfig']>;
