import type { Case, CaseStatus, ExternalRef, Source, TimelineEntry } from './case';

/**
 * Outbound webhooks that systems subscribe to: a department system hears about the cases assigned
 * to (or led by) its department; the 12345 hotline platform hears every status change of the cases
 * its tickets became, with the ticket number, so it can answer the caller. Every delivery is signed
 * (see signature.ts) with the subscription's secret and recorded attempt by attempt.
 */
export const SUBSCRIPTION_EVENTS = [
  'case.assigned',
  'case.escalated',
  'case.closed',
  'case.status_changed',
] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];

/** Whose cases a subscription follows. */
export type SubscriptionFilter = { department: string } | { source: Source };

export interface Subscription {
  id: string;
  name: string;
  url: string;
  filter: SubscriptionFilter;
  events: SubscriptionEvent[];
  createdAt: string;
  createdBy: string;
}

/** The record as stored: the subscription and the secret its deliveries are signed with. */
export interface StoredSubscription {
  subscription: Subscription;
  secret: string;
}

/** What a subscriber is told: the case as a department system may see it, no personal data. */
export interface CaseEventPayload {
  /** `<case>:<timeline seq>:<event>`; the same in every attempt, so receivers drop repeats. */
  id: string;
  type: SubscriptionEvent;
  at: string;
  case: {
    id: string;
    status: CaseStatus;
    source: Source;
    category?: string;
    priority: string;
    zone?: string;
    lead?: string;
    assignee?: string;
    acceptBy?: string;
    handleBy?: string;
    externalRef?: ExternalRef;
  };
  entry: { seq: number; action: TimelineEntry['action']; from?: CaseStatus; to: CaseStatus; note?: string };
  /** The 12345 ticket number when the case came from the hotline. */
  ticketNo?: string;
}

/** The 12345 platform's system name in `externalRef`. */
export const HOTLINE_SYSTEM = '12345';

const ASSIGNING: ReadonlySet<TimelineEntry['action']> = new Set(['dispatched', 'reassigned', 'reopened']);

/** The events one timeline entry raises (several may apply: a close is also a status change). */
export const eventTypesOf = (entry: TimelineEntry, c: Pick<Case, 'assignee'>): SubscriptionEvent[] => {
  const types: SubscriptionEvent[] = [];
  if (ASSIGNING.has(entry.action) && c.assignee) types.push('case.assigned');
  if (entry.action === 'escalated') types.push('case.escalated');
  if (entry.action === 'closed') types.push('case.closed');
  if (entry.from !== undefined && entry.from !== entry.to) types.push('case.status_changed');
  return types;
};

const payloadOf = (c: Case, entry: TimelineEntry, type: SubscriptionEvent): CaseEventPayload => ({
  id: `${c.id}:${entry.seq}:${type}`,
  type,
  at: entry.at,
  case: {
    id: c.id,
    status: c.status,
    source: c.source,
    ...(c.category !== undefined && { category: c.category }),
    priority: c.priority,
    ...(c.zone && { zone: c.zone.id }),
    ...(c.lead !== undefined && { lead: c.lead }),
    ...(c.assignee !== undefined && { assignee: c.assignee }),
    ...(c.deadlines && { acceptBy: c.deadlines.acceptBy, handleBy: c.deadlines.handleBy }),
    ...(c.externalRef && { externalRef: { ...c.externalRef } }),
  },
  entry: {
    seq: entry.seq,
    action: entry.action,
    ...(entry.from !== undefined && { from: entry.from }),
    to: entry.to,
    ...(entry.note !== undefined && { note: entry.note }),
  },
  ...(c.externalRef?.system === HOTLINE_SYSTEM && { ticketNo: c.externalRef.id }),
});

/** The events of the entries `next` added to `previous`. */
export const caseEventsBetween = (previous: Case | undefined, next: Case): CaseEventPayload[] =>
  next.timeline
    .slice(previous?.timeline.length ?? 0)
    .flatMap((entry) => eventTypesOf(entry, next).map((type) => payloadOf(next, entry, type)));

/** Whether a subscription wants this event: its type, and a case of its department or source. */
export const wants = (subscription: Subscription, event: CaseEventPayload): boolean => {
  if (!subscription.events.includes(event.type)) return false;
  const { filter } = subscription;
  if ('source' in filter) return event.case.source === filter.source;
  return event.case.assignee === filter.department || event.case.lead === filter.department;
};

/** One attempt to deliver one event to one subscription. */
export interface DeliveryAttempt {
  subscriptionId: string;
  /** The event id (`CaseEventPayload.id`). */
  eventId: string;
  type: SubscriptionEvent;
  caseId: string;
  attempt: number;
  at: string;
  outcome: 'delivered' | 'failed';
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  error?: string;
  durationMs: number;
  /** After a failure: when the next attempt is due; absent when this was the last (dead-lettered). */
  nextAttemptAt?: string;
}

/**
 * Attempts before a delivery is parked in the dead-letter queue: the notification queue's
 * maxReceiveCount (infra/stack/queues.ts MAX_RECEIVE_COUNT and the local cloud use the same 5).
 */
export const DELIVERY_ATTEMPTS = 5;
/** No wait longer than this (SQS allows 12 h of visibility; a receiver down for longer is an incident). */
export const MAX_BACKOFF_SECONDS = 900;

/** Exponential backoff after failed attempt `attempt` (1-based): base, 2·base, 4·base… capped. */
export const backoffSeconds = (attempt: number, baseSeconds: number): number =>
  Math.min(MAX_BACKOFF_SECONDS, Math.round(baseSeconds * 2 ** Math.max(0, attempt - 1)));

/** On the notification queue: a case event still to be matched against the subscriptions. */
export interface CaseEventMessage {
  kind: 'case-event';
  /** The event id. */
  key: string;
  event: CaseEventPayload;
}

/** On the notification queue: one event for one subscription, retried on its own with backoff. */
export interface DeliveryMessage {
  kind: 'delivery';
  /** `<event id>:<subscription id>`. */
  key: string;
  subscriptionId: string;
  event: CaseEventPayload;
}

export const caseEventMessage = (event: CaseEventPayload): CaseEventMessage => ({
  kind: 'case-event',
  key: event.id,
  event,
});

export const deliveryMessage = (subscriptionId: string, event: CaseEventPayload): DeliveryMessage => ({
  kind: 'delivery',
  key: `${event.id}:${subscriptionId}`,
  subscriptionId,
  event,
});
