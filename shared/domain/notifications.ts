import type { DistrictConfig, EscalationRecipient } from '../district/schema';
import type { Case, TimelineEntry } from './case';

/**
 * Who hears about what: a dispatch tells the department it now has the case; an escalation tells
 * the level's recipient. One message per (timeline entry, recipient): its key is derived from
 * both, so however often a message is re-sent, a receiver can drop the repeats.
 */

export type Recipient =
  | { type: 'department'; department: string }
  | { type: 'area_chief'; zone: string }
  | { type: 'command_centre' }
  | { type: 'town_leader' };

export interface NotificationMessage {
  /** Idempotency key: `<case>:<timeline seq>:<recipient>`. */
  key: string;
  kind: 'assignment' | 'escalation';
  caseId: string;
  recipient: Recipient;
  at: string;
  /** One line a person reads on a phone. */
  text: string;
  details: Record<string, unknown>;
}

export const recipientId = (recipient: Recipient): string => {
  switch (recipient.type) {
    case 'department':
      return `department:${recipient.department}`;
    case 'area_chief':
      return `area_chief:${recipient.zone}`;
    case 'command_centre':
    case 'town_leader':
      return recipient.type;
  }
};

const ladderRecipient = (c: Case, notify: EscalationRecipient): Recipient | undefined => {
  switch (notify) {
    case 'area_chief':
      return c.zone ? { type: 'area_chief', zone: c.zone.id } : { type: 'command_centre' };
    case 'command_centre':
      return { type: 'command_centre' };
    case 'town_leader':
      return { type: 'town_leader' };
  }
};

const ASSIGNING: ReadonlySet<TimelineEntry['action']> = new Set(['dispatched', 'reassigned', 'reopened']);

const message = (
  c: Case,
  entry: TimelineEntry,
  kind: NotificationMessage['kind'],
  recipient: Recipient,
  text: string,
  details: Record<string, unknown>,
): NotificationMessage => ({
  key: `${c.id}:${entry.seq}:${recipientId(recipient)}`,
  kind,
  caseId: c.id,
  recipient,
  at: entry.at,
  text,
  details: { ...details, status: c.status, category: c.category, zone: c.zone?.id, assignee: c.assignee },
});

/** The notifications one timeline entry of the case produces (none for most entries). */
export const notificationsOf = (
  c: Case,
  entry: TimelineEntry,
  district: Pick<DistrictConfig, 'escalation'>,
): NotificationMessage[] => {
  if (ASSIGNING.has(entry.action) && c.assignee) {
    const acceptBy = c.deadlines?.acceptBy;
    return [
      message(
        c,
        entry,
        'assignment',
        { type: 'department', department: c.assignee },
        `新派遣案件 ${c.id}${acceptBy ? `，请于 ${acceptBy} 前签收` : ''}`,
        { action: entry.action, acceptBy, handleBy: c.deadlines?.handleBy },
      ),
    ];
  }
  if (entry.action === 'escalated') {
    const details = entry.details ?? {};
    const notify = details.notify as EscalationRecipient | undefined;
    const level = district.escalation.find((l) => l.level === details.level);
    const recipient = notify && ladderRecipient(c, notify);
    if (!recipient) return [];
    const what = details.deadline === 'accept' ? '超时未签收' : '超时未处置';
    return [
      message(
        c,
        entry,
        'escalation',
        recipient,
        `${level?.name.zh ?? '督办'}：案件 ${c.id} ${what}（期限 ${String(details.dueAt)}）`,
        details,
      ),
    ];
  }
  return [];
};

/** The notifications of the entries `next` added to `previous`. */
export const notificationsBetween = (
  previous: Case | undefined,
  next: Case,
  district: Pick<DistrictConfig, 'escalation'>,
): NotificationMessage[] =>
  next.timeline
    .slice(previous?.timeline.length ?? 0)
    .flatMap((entry) => notificationsOf(next, entry, district));

/** Entries after which a new deadline runs: escalations before them belong to an older one. */
const DEADLINE_STARTS: readonly string[] = [
  'dispatched',
  'reassigned',
  'accepted',
  'rework',
  'reopened',
  'resumed',
];

/**
 * The notifications of every escalation of the running deadline, to send again after a crash: a
 * queue that lost messages (the local cloud's is in memory) must not lose a level. Their
 * idempotency keys let receivers drop the ones they already have.
 */
export const escalationNotificationsSoFar = (
  c: Case,
  district: Pick<DistrictConfig, 'escalation'>,
): NotificationMessage[] => {
  if (!c.escalation) return [];
  const started = c.timeline.findLastIndex((e) => DEADLINE_STARTS.includes(e.action));
  return c.timeline
    .slice(started + 1)
    .filter((e) => e.action === 'escalated')
    .flatMap((entry) => notificationsOf(c, entry, district));
};

/** Where a recipient's webhook is, from the district file; undefined when none is configured. */
export const webhookOf = (
  recipient: Recipient,
  district: Pick<DistrictConfig, 'departments' | 'zones' | 'commandCentre' | 'townLeader'>,
): string | undefined => {
  const departmentHook = (id: string) => district.departments.find((d) => d.id === id)?.webhook;
  switch (recipient.type) {
    case 'department':
      return departmentHook(recipient.department);
    case 'area_chief': {
      const chief = district.zones.find((z) => z.id === recipient.zone)?.areaChief;
      return chief && (chief.webhook ?? departmentHook(chief.department));
    }
    case 'command_centre':
      return departmentHook(district.commandCentre);
    case 'town_leader':
      // The leader's office without a hook of its own: the command centre relays (指挥中心转呈).
      return district.townLeader?.webhook ?? departmentHook(district.commandCentre);
  }
};
