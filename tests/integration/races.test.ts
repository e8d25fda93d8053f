import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../../bench/report';
import { auditCase } from '../../shared/domain/audit';
import type { Actor, Case } from '../../shared/domain/case';
import {
  DomainError,
  ForbiddenActionError,
  IllegalTransitionError,
  InvalidInputError,
} from '../../shared/domain/errors';
import { assertMergeable, markMerged } from '../../shared/domain/merge';
import { type CommandInput, runCommand } from '../../shared/domain/workflow';
import { casesHarness, claimsFor, distinctPointsIn, sandun } from '../support/cases-harness';
import { type Emulators, startEmulators } from '../support/emulators';

/**
 * Conflicting workflow commands racing on one case: N clients at once (dispatch, return, accept,
 * escalate, hold, cancel, merge…), some with the version they saw, some without. The promises:
 * every reply is a success or a refusal (losers of a version race get 409); the case ends in a state
 * that replaying the winners' commands one after another with the pure domain produces, exactly;
 * every refusal is one that some state along that serial history explains; the timeline has one
 * entry per version, seq contiguous, hash chain intact; and a merge that lost leaves no trace on
 * its target. Many seeds (fast-check scenarios), each on fresh cases.
 */

let emulators: Emulators;
let api: ReturnType<typeof casesHarness>;

const zone = sandun.zone('zijingang')!;
const nextPoint = distinctPointsIn(zone);
const commandCentre = claimsFor.commandCentre();

const RACE_COMMANDS = [
  'dispatch',
  'return',
  'accept',
  'progress',
  'escalate',
  'hold',
  'resume',
  'cancel',
  'merge',
] as const;
type RaceCommand = (typeof RACE_COMMANDS)[number];

interface Client {
  command: RaceCommand;
  /** Send the version the client saw (else the server uses whatever is current). */
  pinned: boolean;
}

const scenario = fc.record({
  start: fc.constantFrom('registered', 'dispatched', 'accepted', 'held'),
  clients: fc.array(fc.record({ command: fc.constantFrom(...RACE_COMMANDS), pinned: fc.boolean() }), {
    minLength: 2,
    maxLength: 7,
  }),
});

/** Reports at a point of its own and routes it: a registered case. */
const freshCase = async (): Promise<Case> => {
  // Past the dedup window: the point grid repeats after 81 reports, and a report merged into an
  // older case at its point is not the fresh case a scenario needs.
  api.clock.advanceMinutes((sandun.config.dedup.windowHours + 1) * 60);
  const accepted = await api.report({
    source: 'hotline',
    category: 'event.household-workshop',
    description: '竞争测试：小区一楼家庭作坊',
    location: { ...nextPoint(), crs: 'wgs84' },
  });
  expect(accepted.status).toBe(202);
  await api.drainQueue();
  const routed = (await api.store.get(accepted.body.id))!.case;
  expect(routed.status).toBe('registered');
  return routed;
};

const must = async (reply: Promise<{ status: number; body: unknown }>) => {
  const r = await reply;
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

/** Brings a fresh case to the status the scenario starts from. */
const prepare = async (start: string): Promise<Case> => {
  const c = await freshCase();
  if (start === 'registered') return c;
  await must(api.command(c.id, 'dispatch', {}, commandCentre));
  const lead = (await api.store.get(c.id))!.case.assignee!;
  if (start === 'accepted') await must(api.command(c.id, 'accept', {}, claimsFor.staff(lead)));
  if (start === 'held') await must(api.command(c.id, 'hold', { reason: '等待补充材料' }, commandCentre));
  return (await api.store.get(c.id))!.case;
};

const otherDepartment = (c: Case) =>
  sandun.config.departments.find(
    (d) => d.kind !== 'command-centre' && d.id !== c.assignee && d.id !== c.lead && d.id !== 'joint-team',
  )!.id;

/** The request each client sends, from the case as it saw it. */
const requestOf = (client: Client, seen: Case, into: string) => {
  const staff = claimsFor.staff(seen.assignee ?? seen.lead ?? 'market-regulation');
  const pin = client.pinned ? { expectedVersion: seen.version } : {};
  switch (client.command) {
    case 'dispatch':
      return {
        claims: commandCentre,
        body:
          seen.status === 'registered'
            ? { ...pin }
            : { department: otherDepartment(seen), reason: '改派', ...pin },
      };
    case 'return':
      return { claims: staff, body: { reason: '不属于本部门', ...pin } };
    case 'accept':
      return { claims: staff, body: { note: '签收', ...pin } };
    case 'progress':
      return { claims: staff, body: { note: '处置中', ...pin } };
    case 'escalate':
      return { claims: commandCentre, body: { reason: '督办', ...pin } };
    case 'hold':
      return { claims: commandCentre, body: { reason: '挂起', ...pin } };
    case 'resume':
      return { claims: commandCentre, body: { ...pin } };
    case 'cancel':
      return { claims: commandCentre, body: { reason: '重复', ...pin } };
    case 'merge':
      return { claims: commandCentre, body: { into, reason: '同一事件', ...pin } };
  }
};

/** The pure domain's answer to one command on one state: the next case, or the status it refuses with. */
const applyPure = (
  c: Case,
  command: RaceCommand,
  body: Record<string, unknown>,
  entry: Pick<Case['timeline'][number], 'actor' | 'at' | 'correlationId'>,
) => {
  const { expectedVersion, ...fields } = body;
  const ctx = {
    actor: entry.actor,
    now: entry.at,
    ...(entry.correlationId !== undefined && { correlationId: entry.correlationId }),
  };
  if (command === 'merge') {
    return markMerged(c, String(fields.into), {
      ...ctx,
      mode: 'manual',
      ...(fields.reason !== undefined && { reason: String(fields.reason) }),
    });
  }
  return runCommand(c, { command, ...fields } as CommandInput, { district: sandun, ...ctx });
};

const statusOfError = (error: unknown) =>
  error instanceof IllegalTransitionError
    ? 409
    : error instanceof ForbiddenActionError
      ? 403
      : error instanceof InvalidInputError
        ? 422
        : error instanceof DomainError
          ? 400
          : 500;

/** The actor the cases function makes of these test claims (shared/auth/actor.ts). */
const actorOf = (claims: Record<string, string>): Actor => ({
  subject: claims.sub!,
  role: claims.role as Actor['role'],
  ...(claims.name && { name: claims.name }),
  ...(claims.department && { department: claims.department }),
  ...(claims.zone && { zone: claims.zone }),
});

const checkChain = (c: Case) => {
  const audit = auditCase(c);
  expect(audit, `audit of ${c.id}`).toMatchObject({ intact: true });
  expect(c.timeline.map((e) => e.seq)).toEqual(c.timeline.map((_, i) => i + 1));
};

let runs = 0;
let anomalies = 0;

beforeAll(async () => {
  emulators = await startEmulators();
  api = casesHarness(emulators);
}, 60_000);

afterAll(async () => {
  await emulators.stop();
  console.info(`races: ${runs} runs, ${anomalies} anomalies`);
  // Under `npm run bench` (XT_BENCH_OUT set) the counts go into bench/RESULTS.md too.
  recordFigures('races', [
    { name: 'race runs (2–7 clients on one case)', value: runs, unit: 'runs' },
    { name: 'anomalies (state no serial order gives, gap, non-409 loser)', value: anomalies, unit: 'runs' },
  ]);
});

describe('conflicting workflow commands on one case', () => {
  it('end in a state some serial order of the winners produces; losers get 409; timelines stay whole', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ start, clients }) => {
        runs++;
        try {
          const before = await prepare(start);
          const target = await freshCase();
          const requests = clients.map((client) => ({ client, ...requestOf(client, before, target.id) }));

          const replies = await Promise.all(
            requests.map((r) => api.command(before.id, r.client.command, r.body, r.claims)),
          );

          for (const reply of replies)
            expect([200, 403, 409, 422], JSON.stringify(reply.body)).toContain(reply.status);
          const after = (await api.store.get(before.id))!.case;
          const targetAfter = (await api.store.get(target.id))!.case;
          checkChain(after);
          checkChain(targetAfter);

          // Winners in the order their versions say; each produced exactly one version.
          const winners = requests
            .map((r, i) => ({ ...r, reply: replies[i]! }))
            .filter((w) => w.reply.status === 200)
            .sort((a, b) => a.reply.body.version - b.reply.body.version);
          expect(winners.map((w) => w.reply.body.version)).toEqual(
            winners.map((_, i) => before.version + i + 1),
          );
          expect(after.version).toBe(before.version + winners.length);

          // Replay them serially with the pure domain: it must give the stored case, exactly.
          const history: Case[] = [before];
          for (const winner of winners) {
            const previous = history.at(-1)!;
            const entry = after.timeline[previous.version]!;
            history.push(applyPure(previous, winner.client.command, winner.body, entry));
          }
          expect(history.at(-1)).toEqual(after);

          // Every refusal is explained by some state of that history.
          const losers = requests
            .map((r, i) => ({ ...r, reply: replies[i]! }))
            .filter((l) => l.reply.status !== 200);
          for (const loser of losers) {
            // A legal command that lost the write race (or whose pinned version went stale) is a 409.
            const lostRace = loser.reply.status === 409 && winners.length > 0;
            const explained = history.some((state) => {
              try {
                applyPure(state, loser.client.command, loser.body, {
                  actor: actorOf(loser.claims),
                  at: state.updatedAt!,
                });
                return lostRace;
              } catch (error) {
                if (error instanceof InvalidInputError && loser.client.command === 'merge') {
                  try {
                    assertMergeable(state, targetAfter);
                  } catch {
                    return loser.reply.status === 422;
                  }
                }
                return statusOfError(error) === loser.reply.status || lostRace;
              }
            });
            expect(
              explained,
              `${loser.client.command} refused with ${loser.reply.status}: ${JSON.stringify(loser.reply.body)}`,
            ).toBe(true);
          }

          // A merge either happened on both sides or left no trace on the target.
          const linked = targetAfter.linkedReports.some((l) => l.caseId === before.id);
          expect(linked, `target links the report: ${linked}, report is ${after.status}`).toBe(
            after.status === 'merged' || history.some((s) => s.status === 'merged'),
          );
        } catch (error) {
          anomalies++;
          throw error;
        }
      }),
      { seed: 42, numRuns: Number(process.env.XT_RACE_RUNS ?? 25), includeErrorInReport: true },
    );
  }, 300_000);
});

describe('a merge cut short between its two writes', () => {
  it('is completed by running it again: the report merged first, the target linked on the retry', async () => {
    const report = (await api.store.get((await freshCase()).id))!;
    const target = await freshCase();
    // The crash: the report's write landed, the target's did not.
    const merged = markMerged(report.case, target.id, {
      actor: actorOf(commandCentre),
      now: api.clock.now(),
      mode: 'manual',
    });
    await api.store.save({ ...report, case: merged }, report.case.version);
    expect((await api.store.get(target.id))!.case.linkedReports).toEqual([]);

    const again = await api.command(report.case.id, 'merge', { into: target.id }, commandCentre);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const linked = (await api.store.get(target.id))!.case;
    expect(linked.linkedReports.map((l) => l.caseId)).toEqual([report.case.id]);
    checkChain(linked);
    checkChain((await api.store.get(report.case.id))!.case);
  });
});
