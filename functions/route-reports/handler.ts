import { systemClock } from '../../shared/ports';
import { sfn } from '../../shared/runtime/clients/sfn';
import { sqs } from '../../shared/runtime/clients/sqs';
import { caseEffectsFromEnv } from '../../shared/runtime/composition/case-effects';
import { caseStoreFromEnv } from '../../shared/runtime/composition/cases';
import { districtIndexFromEnv } from '../../shared/runtime/composition/district';
import { attachmentStoreFromEnv, evidenceBucketFromEnv } from '../../shared/runtime/composition/evidence';
import { jointVisitStoreFromEnv, premisesReaderFromEnv } from '../../shared/runtime/composition/joint-visits';
import { dedupClaimsFromEnv } from '../../shared/runtime/composition/routing';
import { triageModelFromEnv } from '../../shared/runtime/composition/triage';
import { snapshotPlacer } from '../../shared/usecases/camera-snapshots';
import { CellCandidates } from '../../shared/usecases/cell-candidates';
import { jointVisitPlanner } from '../../shared/usecases/joint-visits';
import { makeHandler } from './app';

// Routing a report notifies and starts its deadline timer: both clients are built at cold start, not
// left to the first message (see `sqs` and `sfn`).
await Promise.all([sqs(), sfn()]);

const district = districtIndexFromEnv();
/**
 * The router starts the effects of a batch's registrations together (and then those of its
 * merges): their notifications, usually one message each, go in one request, not one each, and
 * nothing waits for a gathering timer.
 */
const GATHER_NOTIFICATIONS_MS = 0;
const store = caseStoreFromEnv();

export const handler = makeHandler({
  store,
  claims: dedupClaimsFromEnv(),
  district,
  clock: systemClock,
  effects: caseEffectsFromEnv(district, systemClock, GATHER_NOTIFICATIONS_MS),
  triageModel: triageModelFromEnv(district),
  // Kept for the life of the container: a hotspot's batches look at the same cells.
  cells: new CellCandidates(),
  planJointVisit: jointVisitPlanner({
    store,
    visits: jointVisitStoreFromEnv(),
    premises: premisesReaderFromEnv(),
    district,
    clock: systemClock,
  }),
  placeSnapshot: snapshotPlacer({
    store,
    attachments: attachmentStoreFromEnv(),
    bucket: evidenceBucketFromEnv(),
    district,
    clock: systemClock,
  }),
});
