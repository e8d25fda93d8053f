import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTimeline } from '../../shared/domain/timeline';
import { retrainTriage } from '../../shared/usecases/retrain-triage';
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

describe('the command centre’s confirmations and corrections (feedback loop)', () => {
  it('records a confirmation on the timeline and as a labelled example', async () => {
    // Prepare: a vague report waits in triage with suggestions.
    const routed = await reportAndRoute('这边有点情况，电话 13812345678，麻烦派人来看看');
    expect(routed.triage).toBe(true);
    const best = routed.suggestions[0];

    // Act: the command centre takes the best suggestion.
    const confirmed = await api.command(
      routed.id,
      'dispatch',
      { category: best.category },
      claimsFor.commandCentre(),
    );

    // Assess
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.timeline.at(-1)).toMatchObject({
      action: 'dispatched',
      details: {
        categorisation: 'confirmed',
        category: best.category,
        suggested: best.category,
        score: best.score,
      },
    });
    const feedback = (await api.triageFeedback.list()).filter((f) => f.caseId === routed.id);
    expect(feedback).toEqual([
      {
        district: 'sandun',
        caseId: routed.id,
        version: confirmed.body.version,
        text: expect.not.stringContaining('13812345678'),
        category: best.category,
        verdict: 'confirmed',
        suggested: best.category,
        score: best.score,
        by: { subject: 'cc-1', role: 'command_centre', department: 'command-centre' },
        at: confirmed.body.updatedAt,
      },
    ]);
    expect(feedback[0]!.text).toContain('这边有点情况');
  });

  it('records a correction of an auto-categorized report, with what the classifier had said', async () => {
    const routed = await reportAndRoute('古墩路菜场门口污水外溢，臭味很大');
    expect(routed.category).toBe('event.sewage-overflow');
    const dispatched = await api.command(routed.id, 'dispatch', {}, claimsFor.commandCentre());
    expect(dispatched.status).toBe(200);
    expect(await api.triageFeedback.list()).not.toContainEqual(
      expect.objectContaining({ caseId: routed.id }),
    );

    // Act: the command centre says it is a road flooding after all and reassigns.
    const corrected = await api.command(
      routed.id,
      'dispatch',
      { category: 'event.road-flooding', reason: '现场核实为暴雨积水' },
      claimsFor.commandCentre(),
    );

    // Assess
    expect(corrected.status).toBe(200);
    expect(corrected.body.timeline.at(-1).details).toMatchObject({
      categorisation: 'corrected',
      category: 'event.road-flooding',
      suggested: 'event.sewage-overflow',
    });
    expect(await api.triageFeedback.list()).toContainEqual(
      expect.objectContaining({
        caseId: routed.id,
        category: 'event.road-flooding',
        verdict: 'corrected',
        suggested: 'event.sewage-overflow',
        score: routed.suggestions[0].score,
      }),
    );
    expect(verifyTimeline(corrected.body.timeline)).toEqual({ intact: true });
  });

  it('records nothing for a report that came with its category', async () => {
    const accepted = await api.report(
      {
        source: 'hotline',
        description: '路灯不亮',
        category: 'component.street-light-broken',
        location: { ...nextPoint(), crs: 'wgs84' },
      },
      claimsFor.fieldWorker('joint-team'),
    );
    await api.drainQueue();
    const recategorised = await api.command(
      accepted.body.id,
      'dispatch',
      { category: 'component.traffic-signal-fault' },
      claimsFor.commandCentre(),
    );
    expect(recategorised.status).toBe(200);
    expect(recategorised.body.timeline.at(-1).details.categorisation).toBeUndefined();
    expect(await api.triageFeedback.list()).not.toContainEqual(
      expect.objectContaining({ caseId: accepted.body.id }),
    );
  });
});

describe('retrain (npm run triage:retrain)', () => {
  it('merges the stored feedback into the examples file, once, and rebuilds the model', async () => {
    // Prepare: a copy of the district's files, and a correction in the table.
    const dir = mkdtempSync(join(tmpdir(), 'xt-retrain-'));
    for (const suffix of ['.json', '.examples.json', '.heldout.json']) {
      copyFileSync(`districts/sandun${suffix}`, join(dir, `sandun${suffix}`));
    }
    copyFileSync('districts/catalogue.json', join(dir, 'catalogue.json'));
    const routed = await reportAndRoute('桥洞下面有个东西一直往外冒白烟，有股焦味');
    const corrected = await api.command(
      routed.id,
      'dispatch',
      { category: 'event.fire-smoke' },
      claimsFor.commandCentre(),
    );
    expect(corrected.status).toBe(200);
    const stored = await api.triageFeedback.list();
    const before = JSON.parse(readFileSync(join(dir, 'sandun.examples.json'), 'utf8')).examples.length;

    try {
      // Act, twice: the second run finds everything already there.
      const first = await retrainTriage({
        districtFile: join(dir, 'sandun.json'),
        feedback: api.triageFeedback,
      });
      const second = await retrainTriage({
        districtFile: join(dir, 'sandun.json'),
        feedback: api.triageFeedback,
      });

      // Assess
      const written = JSON.parse(readFileSync(join(dir, 'sandun.examples.json'), 'utf8'));
      expect(written.district).toBe('sandun');
      expect(written.examples).toContainEqual({ text: routed.description, category: 'event.fire-smoke' });
      expect(first).toMatchObject({ before, feedback: stored.length, after: before + first.added });
      expect(first.added).toBeGreaterThanOrEqual(1);
      expect(first.model.examples).toBe(first.after);
      expect(second).toMatchObject({ before: first.after, after: first.after, added: 0 });
      expect(written.examples).toHaveLength(first.after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
