import { type CaseStatus, OPEN_STATUSES } from './case';

/**
 * The workflow's allowed transitions (GB/T 30428): the statuses each step starts from. The
 * workflow's commands refuse any other status with `IllegalTransitionError`, and the pages import
 * this same table to offer only what the API would accept. Where a step leads is the command's own
 * business: verify goes two ways (verified, or back to accepted for rework), progress stays.
 * Hold, resume and escalate depend on the running deadline, not on a status, so they are not here.
 */
export const ALLOWED_FROM = {
  /** The router's step (立案), not a command anyone may run. */
  register: ['reported'],
  dispatch: ['registered', 'dispatched', 'accepted'],
  accept: ['dispatched'],
  return: ['dispatched', 'accepted'],
  progress: ['dispatched', 'accepted', 'handled'],
  resolve: ['accepted'],
  verify: ['handled'],
  close: ['verified'],
  reopen: ['closed'],
  /** Any open case can be cancelled. */
  cancel: OPEN_STATUSES,
} as const satisfies Record<string, readonly CaseStatus[]>;

export type StatusBoundStep = keyof typeof ALLOWED_FROM;

/** Whether the step may start from this status. */
export const allowedFrom = (step: StatusBoundStep, status: CaseStatus): boolean =>
  (ALLOWED_FROM[step] as readonly CaseStatus[]).includes(status);
