import { expect } from 'vitest';
import type { Case } from '../../shared/domain/case';
import { type casesHarness, claimsFor } from './cases-harness';

/** Dispatch → accept → resolve → verify → close, as the people responsible; every step must succeed. */
export const walkToClosed = async (api: ReturnType<typeof casesHarness>, c: Case): Promise<Case> => {
  const chief = claimsFor.areaChief(c.zone!.id);
  const staff = claimsFor.staff(c.lead!);
  const steps: [string, unknown, Record<string, string>][] = [
    ['dispatch', { expectedVersion: c.version }, chief],
    ['accept', {}, staff],
    ['resolve', { result: '已处理完毕，现场恢复' }, staff],
    ['verify', { passed: true, note: '复查通过' }, chief],
    ['close', {}, claimsFor.commandCentre()],
  ];
  for (const [command, body, claims] of steps) {
    const reply = await api.command(c.id, command, body, claims);
    expect(reply.status, `${command}: ${JSON.stringify(reply.body)}`).toBe(200);
  }
  return (await api.get(c.id)).body as Case;
};
