import type { DedupSettings } from '../district/schema';
import type { Case } from './case';
import type { DistrictIndex } from './district-index';
import { distanceMetres } from './geo';

/**
 * Is this report the same event as that case? A score in [0, 1] from where, when, what and how it
 * was described. Above the district's auto threshold the report is merged; between review and auto
 * it is flagged for a person; below, it is its own case.
 */

export interface DuplicateScore {
  score: number;
  /** Each part from 0 to 1; `text` is 0 beyond the radius, where the words are not compared. */
  parts: { distance: number; time: number; category: number; text: number; premises: number };
  distanceMetres: number;
}

const WEIGHTS = { distance: 0.35, time: 0.2, category: 0.3, text: 0.15 } as const;
/** Same premises or the same external ticket is strong evidence on its own. */
const SAME_PREMISES_BONUS = 0.1;

type Facts = Pick<
  Case,
  'id' | 'category' | 'location' | 'reportedAt' | 'description' | 'premisesId' | 'externalRef' | 'camera'
>;

/** What the duplicate check reads of a case near a new report: its facts and where it stands. */
export type DedupCandidate = Facts & Pick<Case, 'status' | 'updatedAt' | 'closedAt'>;

/** The fields of a `DedupCandidate` (what an index of candidates projects). */
export const CANDIDATE_FIELDS = [
  'id',
  'status',
  'category',
  'location',
  'reportedAt',
  'updatedAt',
  'closedAt',
  'description',
  'premisesId',
  'externalRef',
  'camera',
] as const satisfies readonly (keyof DedupCandidate)[];

/** A case as the duplicate check sees it: its candidate fields only. */
export const toCandidate = (c: Case): DedupCandidate => {
  const candidate: Record<string, unknown> = {};
  for (const field of CANDIDATE_FIELDS) if (c[field] !== undefined) candidate[field] = c[field];
  return candidate as DedupCandidate;
};

/** Default of the district's `cameraAlerts.mergeWindowMinutes`. */
const CAMERA_ALERT_MERGE_WINDOW_MINUTES = 60;

/**
 * One camera raising one alert type again within the window is the same event (a storm of
 * hundreds a minute must become one case), whatever the analytics system wrote each time.
 */
const cameraAlertVerdict = (
  report: Facts,
  candidate: Facts,
  district: DistrictIndex,
): 'same' | 'different' | undefined => {
  if (!report.camera || !candidate.camera) return undefined;
  if (report.camera.cameraId !== candidate.camera.cameraId) return undefined;
  // The camera's analytics told the two apart: another type at the same spot is another event,
  // however alike the generated descriptions and the place make them look.
  if (report.camera.alertType !== candidate.camera.alertType) return 'different';
  const windowMs =
    (district.config.cameraAlerts?.mergeWindowMinutes ?? CAMERA_ALERT_MERGE_WINDOW_MINUTES) * 60_000;
  return Math.abs(Date.parse(report.reportedAt) - Date.parse(candidate.reportedAt)) <= windowMs
    ? 'same'
    : undefined;
};

/**
 * Descriptions already cut into bigrams. A router judges each report of a batch against every
 * candidate of its neighbourhood, so in a burst the same few hundred descriptions are cut again
 * and again; normalizing them was most of the judgement's time. Bounded, cleared when full.
 */
const bigramsOf = new Map<string, Set<string>>();
const MAX_REMEMBERED_DESCRIPTIONS = 4_000;

/** Character bigrams: Chinese has no spaces, and bigrams catch "污水外溢" ~ "污水溢出". */
const bigrams = (text: string): Set<string> => {
  const known = bigramsOf.get(text);
  if (known) return known;
  const grams = cutIntoBigrams(text);
  if (bigramsOf.size >= MAX_REMEMBERED_DESCRIPTIONS) bigramsOf.clear();
  bigramsOf.set(text, grams);
  return grams;
};

const cutIntoBigrams = (text: string): Set<string> => {
  const letters = [
    ...text
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\s\p{P}\p{S}]+/gu, ''),
  ];
  const grams = new Set<string>();
  for (let i = 0; i + 1 < letters.length; i++) grams.add(`${letters[i]}${letters[i + 1]}`);
  if (letters.length === 1) grams.add(letters[0]!);
  return grams;
};

/** Dice coefficient of the two descriptions' bigram sets. */
export const textSimilarity = (a: string, b: string): number => {
  const left = bigrams(a);
  const right = bigrams(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const gram of left) if (right.has(gram)) shared++;
  return (2 * shared) / (left.size + right.size);
};

export const radiusFor = (settings: DedupSettings, district: DistrictIndex, category?: string): number => {
  const group = category ? district.category(category)?.group : undefined;
  return group
    ? settings.radiusMetres[group]
    : Math.max(settings.radiusMetres.component, settings.radiusMetres.event);
};

const categoryScore = (district: DistrictIndex, a?: string, b?: string): number => {
  if (!a || !b) return 0;
  if (a === b) return 1;
  const left = district.category(a);
  const right = district.category(b);
  if (!left || !right || left.group !== right.group) return 0;
  return left.subgroup.zh === right.subgroup.zh ? 0.4 : 0.15;
};

export const scoreDuplicate = (
  report: Facts,
  candidate: Facts,
  district: DistrictIndex,
  settings: DedupSettings,
): DuplicateScore => {
  const metres = distanceMetres(report.location, candidate.location);
  const radius = radiusFor(settings, district, report.category ?? candidate.category);
  // Within half the radius is "the same spot" (GPS and map-pin noise); beyond it fades to the radius.
  const distance = metres <= radius / 2 ? 1 : Math.max(0, 1 - (metres - radius / 2) / (radius / 2));
  const hours = Math.abs(Date.parse(report.reportedAt) - Date.parse(candidate.reportedAt)) / 3_600_000;
  const time = Math.max(0, 1 - hours / settings.windowHours);
  const category = categoryScore(district, report.category, candidate.category);
  // Beyond the radius the words can't make it the same event: they are not compared (most of a
  // busy neighbourhood's candidates lie there).
  const text = distance === 0 ? 0 : textSimilarity(report.description, candidate.description);
  const samePlace = !!report.premisesId && report.premisesId === candidate.premisesId;
  const sameTicket =
    !!report.externalRef &&
    report.externalRef.system === candidate.externalRef?.system &&
    report.externalRef.id === candidate.externalRef?.id;
  const weighted =
    distance === 0
      ? 0 // Further than the radius: another event, whatever the words say.
      : WEIGHTS.distance * distance +
        WEIGHTS.time * time +
        WEIGHTS.category * category +
        WEIGHTS.text * text +
        (samePlace ? SAME_PREMISES_BONUS : 0);
  const camera = cameraAlertVerdict(report, candidate, district);
  const score = sameTicket || camera === 'same' ? 1 : camera === 'different' ? 0 : Math.min(1, weighted);
  return {
    score: Math.round(score * 1000) / 1000,
    parts: { distance, time, category, text, premises: samePlace ? 1 : 0 },
    distanceMetres: Math.round(metres),
  };
};

/**
 * Whether a case may absorb a new report: registered and live. A report still waiting for its
 * router is not a case yet (two of them must not merge into each other), and a closed case takes no
 * more reports: a repeat soon after closure is a case of its own, linked to it (see `isRepeatTarget`).
 */
export const isDuplicateTarget = (c: Pick<Case, 'status'>): boolean =>
  c.status !== 'reported' && c.status !== 'merged' && c.status !== 'cancelled' && c.status !== 'closed';

/** A case closed within the district's `closedWithinHours`: a new report of its event is a repeat. */
export const isRepeatTarget = (
  c: Pick<Case, 'status' | 'closedAt' | 'updatedAt'>,
  now: string,
  settings: DedupSettings,
): boolean => {
  if (c.status !== 'closed') return false;
  const closedAt = Date.parse(c.closedAt ?? c.updatedAt);
  return Date.parse(now) - closedAt <= settings.closedWithinHours * 3_600_000;
};

export interface DuplicateVerdict {
  decision: 'merge' | 'review' | 'none';
  best?: { case: DedupCandidate; score: DuplicateScore };
  /** Every open candidate at or above the review threshold, best first. */
  flagged: { caseId: string; score: number }[];
  /**
   * The recently closed case this report repeats (scored at or above the auto threshold, its time
   * counted from the closure): the report becomes a case of its own, linked to it.
   */
  repeatOf?: { case: DedupCandidate; score: DuplicateScore };
}

/** Best score first; on a tie the older case wins, so racing routers pick the same target. */
const bestFirst = (
  a: { case: DedupCandidate; score: DuplicateScore },
  b: { case: DedupCandidate; score: DuplicateScore },
) => b.score.score - a.score.score || a.case.reportedAt.localeCompare(b.case.reportedAt);

/**
 * Scores the candidates (already fetched by the geo index) and decides. `excluded` names cases that
 * refused this report since they were read (closed or merged meanwhile): they are not offered as
 * its target again, so a router's second look can never reach the same refused verdict. A case that
 * refused because it was closed meanwhile may still be the closed case the report repeats.
 */
export const judgeDuplicates = (
  report: Case,
  candidates: DedupCandidate[],
  district: DistrictIndex,
  settings: DedupSettings,
  now: string,
  excluded: ReadonlySet<string> = new Set(),
): DuplicateVerdict => {
  const others = candidates.filter((c) => c.id !== report.id);
  const scored = others
    .filter((c) => isDuplicateTarget(c) && !excluded.has(c.id))
    .map((c) => ({ case: c, score: scoreDuplicate(report, c, district, settings) }))
    .filter((s) => s.score.score >= settings.reviewScore)
    .sort(bestFirst);
  // A repeat is judged by how soon after the closure it came, not by when the first report came.
  const repeat = others
    .filter((c) => isRepeatTarget(c, now, settings))
    .map((c) => ({
      case: c,
      score: scoreDuplicate(report, { ...c, reportedAt: c.closedAt ?? c.updatedAt }, district, settings),
    }))
    .filter((s) => s.score.score >= settings.autoMergeScore)
    .sort(bestFirst)[0];
  const best = scored[0];
  const flagged = scored.map((s) => ({ caseId: s.case.id, score: s.score.score }));
  const repeatOf = repeat && { repeatOf: repeat };
  if (!best) return { decision: 'none', flagged, ...repeatOf };
  return {
    decision: best.score.score >= settings.autoMergeScore ? 'merge' : 'review',
    best,
    flagged,
    ...repeatOf,
  };
};
