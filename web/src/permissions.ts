/**
 * Which buttons a user sees on a case: the API's own authorization matrix (role × action × scope,
 * imported, not copied) and the workflow's allowed statuses. The API checks both again; this only
 * keeps the screen from offering what would be refused.
 */
import { isAllowed } from '../../shared/domain/authorization';
import type { Actor, Case, CaseStatus } from '../../shared/domain/case';
import type { SignedInUser } from './user';

/** The workflow commands the pages offer (the API may have more, e.g. merge, as other issues land). */
export type UiCommand =
  | 'dispatch'
  | 'accept'
  | 'return'
  | 'progress'
  | 'resolve'
  | 'verify'
  | 'close'
  | 'reopen'
  | 'cancel';

/** The statuses each command starts from (shared/domain/workflow.ts; a unit test keeps them equal). */
export const COMMAND_FROM: Record<UiCommand, readonly CaseStatus[]> = {
  dispatch: ['registered', 'dispatched', 'accepted'],
  accept: ['dispatched'],
  return: ['dispatched', 'accepted'],
  progress: ['dispatched', 'accepted', 'handled'],
  resolve: ['accepted'],
  verify: ['handled'],
  close: ['verified'],
  reopen: ['closed'],
  cancel: ['reported', 'registered', 'dispatched', 'accepted', 'handled', 'verified'],
};

/** The order buttons appear in: the next step of the standard workflow first. */
const ORDER: UiCommand[] = [
  'dispatch',
  'accept',
  'resolve',
  'verify',
  'close',
  'progress',
  'return',
  'reopen',
  'cancel',
];

export const actorOf = (user: SignedInUser): Actor => ({
  subject: user.sub,
  role: user.role,
  name: user.name,
  ...(user.department && { department: user.department }),
  ...(user.zone && { zone: user.zone }),
});

export const availableCommands = (
  user: SignedInUser,
  c: Pick<Case, 'status' | 'zone' | 'lead' | 'assignee' | 'cooperating' | 'submittedBy'>,
): UiCommand[] => {
  const actor = actorOf(user);
  return ORDER.filter((command) => COMMAND_FROM[command].includes(c.status) && isAllowed(actor, command, c));
};
