/**
 * Which buttons a user sees on a case: the API's own authorization matrix (role × action × scope)
 * and the workflow's allowed transitions, both imported from the domain, not copied. The API
 * checks both again; this only keeps the screen from offering what would be refused.
 */
import { isAllowed } from '../../shared/domain/authorization';
import type { Actor, Case } from '../../shared/domain/case';
import { allowedFrom } from '../../shared/domain/transitions';
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
  return ORDER.filter((command) => allowedFrom(command, c.status) && isAllowed(actor, command, c));
};
