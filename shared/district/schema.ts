import * as z from 'zod';
import { CAMERA_ID_PATTERN, CAMERA_STATUSES, isStreamUrl, STREAM_URL_MESSAGE } from '../domain/camera';
import { isKnownTimeZone, workingCalendarSchema } from './calendar';
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
    .regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes, starting with a letter');

  const LocalizedName = z.object({
    zh: z.string().min(1).max(60),
    en: z.string().min(1).max(120),
  });

  /** [lng, lat] as GeoJSON orders them. */
  const Position = z.tuple([z.number().gte(-180).lte(180), z.number().gte(-90).lte(90)]);

  const LinearRing = z
    .array(Position)
    .min(4)
    .refine((ring) => {
      const first = ring[0];
      const last = ring[ring.length - 1];
      return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
    }, 'a GeoJSON ring must be closed (first position equals last)');

  const PolygonGeometry = z.object({
    type: z.literal('Polygon'),
    coordinates: z.array(LinearRing).min(1),
  });

  const DepartmentKind = z.enum(['specialist', 'joint-team', 'command-centre']);

  const Department = z.object({
    id,
    name: LocalizedName,
    kind: DepartmentKind,
    /** Where the department's notifications (assignments, escalations) are POSTed. */
    webhook: z.url().optional(),
  });

  const AreaChief = z.object({
    name: z.string().min(1).max(60),
    title: z.string().min(1).max(60),
    department: id,
    /** The chief's own notification webhook; else their department's. */
    webhook: z.url().optional(),
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

  const CategoryCode = z.string().regex(/^[a-z][a-z0-9.-]{1,60}$/, 'must be a lower-case dotted code');

  const Category = z.object({
    code: CategoryCode,
    /**
     * Where the category sits in GB/T 30428.2: C (部件) or E (事件), the class, and the subclass
     * when it matches one (E0505 事件·街面秩序·机动车乱停放); absent for matters outside the standard.
     */
    standardCode: z
      .string()
      .regex(/^[CE]\d{2}(\d{2})?$/, 'C or E, a two-digit class and optionally a two-digit subclass')
      .optional(),
    group: CategoryGroup,
    /** The standard's major class within the group, e.g. 市容环境 / city appearance. */
    subgroup: LocalizedName,
    name: LocalizedName,
    /** One line in Chinese; `descriptionEn` says the same in English. */
    description: z.string().min(1).max(500),
    descriptionEn: z.string().min(1).max(500).optional(),
    keywords: z.array(z.string().min(1).max(30)).max(40).default([]),
    lead: id,
    cooperating: z.array(id).max(8).default([]),
    priority: Priority,
    /** false for the 急难险重 events anyone trained can handle; those go to the joint team when urgent. */
    specialist: z.boolean(),
    deadlines: z.object({
      // Minutes; fractions are allowed (tests and drills run the ladder in seconds).
      acceptMinutes: z
        .number()
        .positive()
        .max(60 * 24 * 30),
      handleMinutes: z
        .number()
        .positive()
        .max(60 * 24 * 90),
    }),
    /** Dispatch at routing time, without waiting for an area chief (for events where minutes matter). */
    autoDispatch: z.boolean().default(false),
    /** Deadlines (and the escalation ladder's delays) count working hours of the district calendar. */
    workingHours: z.boolean().default(false),
  });

  /** A district's change to one catalogue entry: the fields it names replace the catalogue's. */
  const CategoryOverride = z.strictObject({
    name: LocalizedName.optional(),
    description: z.string().min(1).max(500).optional(),
    descriptionEn: z.string().min(1).max(500).optional(),
    keywords: z.array(z.string().min(1).max(30)).max(40).optional(),
    /** A department of this district (not a role). */
    lead: id.optional(),
    cooperating: z.array(id).max(8).optional(),
    priority: Priority.optional(),
    specialist: z.boolean().optional(),
    deadlines: z
      .strictObject({
        acceptMinutes: z
          .number()
          .positive()
          .max(60 * 24 * 30)
          .optional(),
        handleMinutes: z
          .number()
          .positive()
          .max(60 * 24 * 90)
          .optional(),
      })
      .optional(),
    autoDispatch: z.boolean().optional(),
    workingHours: z.boolean().optional(),
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
      .regex(/^[a-z0-9][a-z0-9._-]*\.json$/, 'a file name beside the district file, e.g. "catalogue.json"'),
    /** Role → department; a role with a department of the same id needs no entry. */
    roles: z.record(id, id).default({}),
    /** Catalogue entries this district does not handle. */
    off: z.array(CategoryCode).max(300).default([]),
    overrides: z.record(CategoryCode, CategoryOverride).default({}),
  });

  const EscalationRecipient = z.enum(['area_chief', 'command_centre', 'town_leader']);

  const EscalationLevel = z.object({
    level: z.number().int().min(1).max(9),
    name: LocalizedName,
    notify: EscalationRecipient,
    /** Minutes after the missed deadline at which this level is reached. */
    afterMinutes: z
      .number()
      .min(0)
      .max(60 * 24 * 30),
    /** The last level only: remind its recipient again every so often, a few times, then stop. */
    repeat: z
      .object({
        everyMinutes: z
          .number()
          .int()
          .min(5)
          .max(60 * 24 * 7),
        times: z.number().int().min(1).max(20),
      })
      .optional(),
  });

  /** Who 镇领导督办 reaches (the ladder's `town_leader`). */
  const TownLeader = z.object({
    name: z.string().min(1).max(60),
    title: z.string().min(1).max(60),
    webhook: z.url().optional(),
  });

  const JointTeamRemit = z.object({
    department: id,
    /** Priorities of non-specialist categories that the joint team takes over as lead. */
    priorities: z.array(Priority).min(1),
    description: LocalizedName,
  });

  /** How duplicate reports are found and merged (one event, one case). */
  const DedupSettings = z
    .object({
      /** Reports further apart than this are different events, per category group. */
      radiusMetres: z
        .object({ component: z.number().positive().max(600), event: z.number().positive().max(600) })
        .default({ component: 50, event: 100 }),
      /** Only cases reported within this window are candidates. */
      windowHours: z
        .number()
        .positive()
        .max(24 * 30)
        .default(72),
      /** Closed cases stay candidates this long after closing (a repeat of a just-fixed problem). */
      closedWithinHours: z
        .number()
        .min(0)
        .max(24 * 30)
        .default(24),
      /** At or above: merged automatically. */
      autoMergeScore: z.number().gt(0).lte(1).default(0.8),
      /** At or above (and below auto): created, but flagged for review as a possible duplicate. */
      reviewScore: z.number().gt(0).lte(1).default(0.55),
    })
    .refine((d) => d.reviewScore < d.autoMergeScore, {
      message: 'reviewScore must be below autoMergeScore',
      path: ['reviewScore'],
    });

  /** 综合查一次: several departments' open cases at one premises become one visit. */
  const JointVisitSettings = z.object({
    /** `create`: the visit is made at once; `propose`: the command centre confirms it. */
    mode: z.enum(['create', 'propose', 'off']).default('create'),
  });

  /** How reports without a category are handled (the triage classifier). */
  const TriageSettings = z.object({
    /** At or above: the classifier's best category is applied and the report routed directly. */
    autoCategorizeScore: z.number().gt(0).lte(1).default(0.8),
    /**
     * For a district without a calibration set of its own: another district's, beside this file
     * (e.g. "sandun.calibration.json"), that chooses the threshold for this district's model. Its
     * reports of categories this district does not have are left out (`loadCalibrationSet`).
     */
    calibrationSet: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]*\.calibration\.json$/,
        'another district’s calibration set beside the district file, e.g. "sandun.calibration.json"',
      )
      .optional(),
  });

  /** 回访: what a reporter's verdict on a closed case sets in motion. */
  const SatisfactionSettings = z.object({
    /**
     * A 不满意 verdict reopens the case for review, through the workflow's reopen (deadlines and
     * timers re-armed as for a manual reopen, back to the department that handled it).
     */
    reopenOnDissatisfied: z.boolean().default(false),
    /** Why the district chose so, for whoever edits the file next. */
    note: z.string().min(1).max(500).optional(),
  });

  /** A named place the 12345 hotline's addresses may mention, with a point to route a ticket by. */
  const HotlinePlace = z.object({
    name: z.string().min(2).max(80),
    /** Other spellings of the same place (a road's old name, a community's short name). */
    aliases: z.array(z.string().min(2).max(80)).max(20).default([]),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
  });

  /**
   * The 12345 hotline adapter's tables, edited by the district: the platform's category texts (as it
   * sends them) mapped to ours, and the address gazetteer for tickets without coordinates.
   */
  const HotlineSettings = z.object({
    categories: z.record(z.string().min(1).max(80), z.string().min(1)).default({}),
    places: z.array(HotlinePlace).max(2000).default([]),
  });

  /** A stream link a browser can open: http(s), or a path on this platform (see `isStreamUrl`). */
  const StreamUrl = z.string().min(1).max(2048).refine(isStreamUrl, STREAM_URL_MESSAGE);

  /** A camera of the district registry, seeded from the district file (its zone is derived). */
  const CameraSeed = z.strictObject({
    id: z.string().regex(CAMERA_ID_PATTERN, 'letters, digits, dot, dash and underscore, at most 64'),
    name: z.string().min(1).max(80),
    location: z.strictObject({ lat: z.number().gte(-90).lte(90), lng: z.number().gte(-180).lte(180) }),
    direction: z.number().min(0).lt(360).optional(),
    fieldOfView: z.number().gt(0).lte(360).optional(),
    streamUrl: StreamUrl,
    owner: id,
    status: z.enum(CAMERA_STATUSES).default('online'),
  });

  /**
   * A host camera snapshots may be fetched from: a name (`vision.example.cn`), a subdomain pattern
   * (`*.vision.example.cn`, at least two labels after the star) or an IP literal. A bare string means
   * https to public addresses only; the object form may allow plain http or private addresses for
   * that host alone (a camera platform on the district's network, a local demo).
   */
  const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  const SnapshotHostName = z
    .string()
    .max(253)
    .refine(
      (host) => (HOST_NAME.test(host) || /^\[[0-9a-f:.]+\]$/.test(host)) && !/^\*\.[^.]+$/.test(host),
      'a lower-case host name, *.<domain with a dot> or an IP literal ([…] for IPv6)',
    );
  const SnapshotHost = z
    .union([
      SnapshotHostName,
      z.strictObject({
        host: SnapshotHostName,
        /** Plain http to this host. */
        http: z.boolean().default(false),
        /** The host may resolve to a private, loopback or link-local address (never on AWS: a local demo). */
        privateAddresses: z.boolean().default(false),
      }),
    ])
    .transform((entry) =>
      typeof entry === 'string' ? { host: entry, http: false, privateAddresses: false } : entry,
    );

  /** Where camera snapshots may come from, and how many become evidence on one case. */
  const CameraSnapshotSettings = z.strictObject({
    /** The hosts snapshot URLs may name; an empty list means snapshots come by upload only. */
    hosts: z.array(SnapshotHost).max(100).default([]),
    /**
     * At most this many snapshots of camera alerts become attachments of one case: a storm merges
     * into one case, and each snapshot is a timeline entry on it (the case item has a size limit).
     */
    maxPerCase: z.number().int().min(1).max(50).default(5),
  });

  /** Camera alerts as intake: which category each alert type reports, and how storms are absorbed. */
  const CameraAlertSettings = z.object({
    /** Alert type (as the video-analytics system names it) → category code of this district. */
    types: z.record(z.string().regex(/^[a-z][a-z0-9_.-]{0,40}$/), z.string().min(1)),
    /** Alerts of one type from one camera within this window are one event (one case). */
    mergeWindowMinutes: z
      .number()
      .int()
      .positive()
      .max(24 * 60)
      .default(60),
    /** At most this many alerts per camera, type and minute become reports; the rest are counted and coalesced. */
    maxReportsPerMinute: z.number().int().positive().max(600).default(30),
    snapshots: CameraSnapshotSettings.default({ hosts: [], maxPerCase: 5 }),
  });

  /** Evidence from the field: how far from the case a photo may be taken, and whether resolving needs one. */
  const EvidenceSettings = z.object({
    /** A photo whose EXIF GPS is further than this from the case location is rejected. */
    maxDistanceMetres: z.number().int().min(50).max(50_000).default(1000),
    /** How far ahead of the server clock a photo's EXIF time may be (phone clocks drift). */
    futureToleranceMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(10),
    /** `resolve` needs at least one verified photo taken after dispatch (the result on site). */
    requireAfterPhotoToResolve: z.boolean().default(false),
    /** How long an upload form stays valid. */
    uploadFormMinutes: z.number().int().min(1).max(60).default(10),
    /** A camera snapshot's alert may be at most this long before its report reached the platform. */
    snapshotMaxAgeMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
  });

  /**
   * One raster layer of a base map: an XYZ template (`{z}`, `{x}`, `{y}`, optional `{s}` for a
   * subdomain) or a WMTS GetTile in key-value form with the same placeholders, e.g. 天地图's
   * `.../vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`.
   */
  const BasemapLayer = z.strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'lowercase letters, digits and dashes'),
    url: z
      .string()
      .regex(/^https?:\/\/[^/?#]+/, 'an http(s) URL')
      .refine((url) => ['{z}', '{x}', '{y}'].every((p) => url.includes(p)), 'needs {z}, {x} and {y}')
      .refine((url) => !/[?&](tk|key|token|ak)=[^{&]/i.test(url), 'no key in the URL: set keyParameter'),
    /** Values of `{s}` (e.g. "01234567" for 天地图's t0…t7). */
    subdomains: z
      .string()
      .regex(/^[a-z0-9]{1,16}$/)
      .optional(),
    /** A label layer (注记) drawn over the base layers. */
    label: z.boolean().default(false),
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
    layers: z.array(BasemapLayer).min(1).max(4),
    attribution: z.string().min(1).max(200),
    keyParameter: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,20}$/)
      .optional(),
    minZoom: z.number().int().min(0).max(22).default(10),
    maxZoom: z.number().int().min(1).max(22).default(18),
  });

  const IdentityConfig = z.object({
    /** OIDC issuer URL trusted by the HTTP API; absent means the stack creates a Cognito user pool. */
    issuer: z.url().optional(),
    audience: z.array(z.string().min(1)).min(1).optional(),
    claims: z
      .object({
        role: z.string().min(1).default('role'),
        department: z.string().min(1).default('department'),
        zone: z.string().min(1).default('zone'),
      })
      .optional(),
  });

  const DistrictConfig = z
    .object({
      id,
      name: LocalizedName,
      timezone: z.string().min(1),
      /** Reports further than this from every zone are refused as outside the district. */
      maxDistanceFromZonesKm: z.number().positive().max(100).default(5),
      commandCentre: id,
      jointTeam: JointTeamRemit,
      departments: z.array(Department).min(2).max(60),
      zones: z.array(Zone).min(1).max(200),
      /** After loading: the catalogue's active entries (see `catalogue`), then the district's own. */
      categories: z.array(Category).min(1).max(300),
      catalogue: CatalogueUse.optional(),
      escalation: z.array(EscalationLevel).min(1).max(9),
      townLeader: TownLeader.optional(),
      /** Working days and hours, for categories with `workingHours` (timezone: the district's). */
      calendar: workingCalendarSchema().optional(),
      identity: IdentityConfig.optional(),
      dedup: DedupSettings.default({
        radiusMetres: { component: 50, event: 100 },
        windowHours: 72,
        closedWithinHours: 24,
        autoMergeScore: 0.8,
        reviewScore: 0.55,
      }),
      jointVisits: JointVisitSettings.default({ mode: 'create' }),
      triage: TriageSettings.default({ autoCategorizeScore: 0.8 }),
      hotline: HotlineSettings.default({ categories: {}, places: [] }),
      satisfaction: SatisfactionSettings.default({ reopenOnDissatisfied: false }),
      /** The map app the field page's 导航 opens (default 高德, WGS-84). */
      navigation: navigationSchema().default(DEFAULT_NAVIGATION),
      cameras: z.array(CameraSeed).max(5000).optional(),
      cameraAlerts: CameraAlertSettings.optional(),
      evidence: EvidenceSettings.default({
        maxDistanceMetres: 1000,
        futureToleranceMinutes: 10,
        requireAfterPhotoToResolve: false,
        uploadFormMinutes: 10,
        snapshotMaxAgeMinutes: 30,
      }),
      /** Absent: the cockpit draws its schematic of the zones (offline, the demo). */
      basemap: BasemapConfig.optional(),
    })
    .superRefine((district, ctx) => {
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
    });

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
