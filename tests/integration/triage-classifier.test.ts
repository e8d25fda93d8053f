import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTimeline } from '../../shared/domain/timeline';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

const nextPoint = distinctPointsIn(sandun.zone('old-street')!);

const reportAndRoute = async (description: string) => {
  const accepted = await api.report(
    { source: 'hotline', description, location: { ...nextPoint(), crs: 'wgs84' } },
    claimsFor.fieldWorker('joint-team'),
  );
  expect(accepted.status).toBe(202);
  await api.drainQueue();
  return (await api.get(accepted.body.id)).body;
};

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
});

afterAll(async () => {
  await emulators.stop();
});

describe('free-text triage at routing', () => {
  it('auto-categorizes a clear report and routes it to the category’s lead', async () => {
    // Act
    const routed = await reportAndRoute('古墩路菜场门口污水外溢，臭味很大');

    // Assess
    expect(routed).toMatchObject({
      status: 'registered',
      category: 'event.sewage-overflow',
      triage: false,
      lead: 'urban-management',
      cooperating: ['emergency-management'],
      priority: 'high',
    });
    expect(routed.suggestions).toHaveLength(3);
    const registered = routed.timeline.at(-1);
    expect(registered.details).toMatchObject({
      rule: 'category',
      triage: false,
      categorisation: 'auto-categorized',
      category: 'event.sewage-overflow',
      score: routed.suggestions[0].score,
    });
    expect(registered.details.score).toBeGreaterThanOrEqual(sandun.config.triage.autoCategorizeScore);
    expect(verifyTimeline(routed.timeline)).toEqual({ intact: true });
  });

  it('keeps a vague report in triage with the suggestions, for the command centre to confirm', async () => {
    const routed = await reportAndRoute('这里有点问题，麻烦派人来看一下');

    expect(routed).toMatchObject({ status: 'registered', triage: true, lead: 'command-centre' });
    expect(routed.category).toBeUndefined();
    expect(routed.suggestions).toHaveLength(3);
    expect(routed.suggestions[0].score).toBeLessThan(sandun.config.triage.autoCategorizeScore);
    expect(routed.timeline.at(-1).details).toMatchObject({ rule: 'triage', categorisation: 'suggested' });

    // The command centre confirms one of the suggestions at dispatch.
    const confirmed = await api.command(
      routed.id,
      'dispatch',
      { category: routed.suggestions[0].category },
      claimsFor.commandCentre(),
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ triage: false, category: routed.suggestions[0].category });
  });
});
