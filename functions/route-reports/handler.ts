import { systemClock } from '../../shared/ports';
import { caseStoreFromEnv, dedupClaimsFromEnv, districtIndexFromEnv } from '../../shared/runtime/composition';
import { caseEffectsFromEnv } from '../../shared/runtime/deadline-composition';
import { attachmentStoreFromEnv, evidenceBucketFromEnv } from '../../shared/runtime/evidence-composition';
import { jointVisitStoreFromEnv, premisesReaderFromEnv } from '../../shared/runtime/joint-visit-composition';
import { triageModelFromEnv } from '../../shared/runtime/triage-composition';
import { snapshotPlacer } from '../../shared/usecases/camera-snapshots';
import { jointVisitPlanner } from '../../shared/usecases/joint-visits';
import { makeHandler } from './app';

const district = districtIndexFromEnv();
const store = caseStoreFromEnv();

export const handler = makeHandler({
  store,
  claims: dedupClaimsFromEnv(),
  district,
  clock: systemClock,
  effects: caseEffectsFromEnv(district, systemClock),
  triageModel: triageModelFromEnv(district),
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
