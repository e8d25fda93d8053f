import type { Actor, Case, Reporter } from './case';

/**
 * Citizens' names and phone numbers are visible only to the command centre, the department the
 * case is assigned to, and the citizen who reported it; everyone else (and every log) sees them masked.
 */
export const maySeePersonalData = (actor: Actor, c: Pick<Case, 'assignee' | 'submittedBy'>): boolean =>
  actor.role === 'command_centre' ||
  actor.subject === c.submittedBy.subject ||
  ((actor.role === 'department_staff' || actor.role === 'field_worker') &&
    !!actor.department &&
    actor.department === c.assignee);

/** 13812341234 → 138****1234: the prefix says the carrier, the suffix lets a caller confirm. */
export const maskPhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
};

/** 王女士 → 王**, Li Lei → L*****: the first character only. */
export const maskName = (name: string): string => {
  const characters = [...name];
  return characters.length <= 1 ? '*' : `${characters[0]}${'*'.repeat(characters.length - 1)}`;
};

export const maskReporter = (reporter: Reporter): Reporter => ({
  ...(reporter.name !== undefined && { name: maskName(reporter.name) }),
  ...(reporter.phone !== undefined && { phone: maskPhone(reporter.phone) }),
});

/** Runs of 7+ digits in free text (a phone number typed into a description) masked alike. */
export const maskPhonesInText = (text: string): string =>
  text.replace(/\+?\d[\d -]{5,}\d/g, (match) =>
    match.replace(/\D/g, '').length >= 7 ? maskPhone(match) : match,
  );
