import type { Actor, Case } from '../domain/case';
import { triageFeedbackOf } from '../domain/classifier/feedback';
import type { DistrictIndex } from '../domain/district-index';
import { CaseNotFoundError, VersionConflictError } from '../domain/errors';
import { type CommandInput, runCommand } from '../domain/workflow';
import type { CaseStore, Clock, TriageFeedbackStore } from '../ports';
import type { CaseEffects } from './case-effects';

export interface RunCommandDeps {
  store: CaseStore;
  district: DistrictIndex;
  clock: Clock;
  /** Timers and notifications once the change is saved. */
  effects?: CaseEffects;
  /** Where the command centre's triage confirmations and corrections go (the retrain reads them). */
  triageFeedback?: TriageFeedbackStore;
}

export interface RunCommandRequest {
  caseId: string;
  input: CommandInput;
  actor: Actor;
  /** When given, the command runs only against this version (the client saw it); else the current one. */
  expectedVersion?: number;
  correlationId?: string;
  /** Whether the actor may see this case at all; when not, it is as absent as a missing one. */
  visibleTo?: (c: Case) => boolean;
}

/** Loads the case, applies one workflow command, and saves it only if nobody changed it meanwhile. */
export const runCaseCommand = async (deps: RunCommandDeps, request: RunCommandRequest): Promise<Case> => {
  const stored = await deps.store.get(request.caseId);
  if (!stored || (request.visibleTo && !request.visibleTo(stored.case)))
    throw new CaseNotFoundError(request.caseId);
  // Permission and transition first: a stale version matters only to someone who may act at all.
  const next = runCommand(stored.case, request.input, {
    district: deps.district,
    actor: request.actor,
    now: deps.clock.now(),
    ...(request.correlationId !== undefined && { correlationId: request.correlationId }),
  });
  if (request.expectedVersion !== undefined && request.expectedVersion !== stored.case.version) {
    throw new VersionConflictError(request.caseId, request.expectedVersion, stored.case.version);
  }
  await deps.store.save({ ...stored, case: next }, stored.case.version);
  await deps.effects?.(stored.case, next);
  const feedback = triageFeedbackOf(next);
  if (feedback) await deps.triageFeedback?.record(feedback);
  return next;
};
