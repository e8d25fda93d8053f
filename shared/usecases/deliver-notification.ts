import type { NotificationMessage } from '../domain/notifications';
import { signatureHeaders } from '../domain/signature';
import {
  backoffSeconds,
  type CaseEventMessage,
  DELIVERY_ATTEMPTS,
  type DeliveryAttempt,
  type DeliveryMessage,
  deliveryMessage,
  type StoredSubscription,
  wants,
} from '../domain/subscriptions';
import type {
  Clock,
  NotificationChannel,
  NotificationQueue,
  SubscriptionStore,
  WebhookPoster,
} from '../ports';

/** Hands one message to its channel; a failure throws so the queue delivers it again (then parks it). */
export const deliverNotification = (
  channel: NotificationChannel,
  message: NotificationMessage,
): Promise<'delivered' | 'no-address'> => channel.deliver(message);

export interface SubscriptionDeliveryDeps {
  subscriptions: SubscriptionStore;
  queue: NotificationQueue;
  poster: WebhookPoster;
  clock: Clock;
  /** The first retry's wait; each further one doubles it. */
  retryBaseSeconds: number;
}

/**
 * A case event becomes one delivery message per subscription that wants it, so each subscriber's
 * retries and backoff are its own: a receiver that is down delays nobody else.
 */
export const fanOutCaseEvent = async (
  deps: { subscriptions: Pick<SubscriptionStore, 'listStored'>; queue: NotificationQueue },
  message: CaseEventMessage,
): Promise<number> => {
  const matching = (await deps.subscriptions.listStored()).filter((s) =>
    wants(s.subscription, message.event),
  );
  if (matching.length > 0) {
    await deps.queue.publish(matching.map((s) => deliveryMessage(s.subscription.id, message.event)));
  }
  return matching.length;
};

/**
 * The subscriptions, read once per batch of the notifier (`batchId`: its invocation's request id)
 * rather than once per case event: a burst's events arrive ten to a batch, and they are matched
 * against the list as it stood when the batch began, as if they had all come at that instant.
 */
export const subscriptionsPerBatch = (store: Pick<SubscriptionStore, 'listStored'>) => {
  let current: { batchId: string; list: Promise<StoredSubscription[]> } | undefined;
  return (batchId: string): Pick<SubscriptionStore, 'listStored'> => ({
    listStored: () => {
      if (current?.batchId !== batchId) {
        const list = store.listStored();
        current = { batchId, list };
        // A failed read is not kept: the next record of the batch tries again.
        list.catch(() => {
          if (current?.list === list) current = undefined;
        });
      }
      return current.list;
    },
  });
};

export type DeliveryOutcome =
  | { outcome: 'delivered' }
  | { outcome: 'gone' }
  | { outcome: 'failed'; retryInSeconds?: number; error: string };

/**
 * One signed attempt to deliver an event to a subscription, recorded whatever happens. `attempt`
 * is the queue's receive count; after DELIVERY_ATTEMPTS the message goes to the dead-letter queue.
 * A subscription deleted meanwhile is no longer delivered to.
 */
export const deliverToSubscription = async (
  deps: SubscriptionDeliveryDeps,
  message: DeliveryMessage,
  attempt: number,
): Promise<DeliveryOutcome> => {
  const stored = await deps.subscriptions.get(message.subscriptionId);
  if (!stored) return { outcome: 'gone' };
  const body = JSON.stringify(message.event);
  const at = deps.clock.now();
  const started = performance.now();
  const headers = {
    'idempotency-key': message.key,
    'x-xietong-event': message.event.type,
    'x-xietong-subscription': stored.subscription.id,
    ...signatureHeaders(stored.secret, body, Date.parse(at)),
  };
  const record: Omit<DeliveryAttempt, 'outcome' | 'durationMs'> = {
    subscriptionId: stored.subscription.id,
    eventId: message.event.id,
    type: message.event.type,
    caseId: message.event.case.id,
    attempt,
    at,
  };
  try {
    const { status } = await deps.poster.post(stored.subscription.url, body, headers);
    await deps.subscriptions.recordAttempt({
      ...record,
      outcome: 'delivered',
      status,
      durationMs: Math.round(performance.now() - started),
    });
    return { outcome: 'delivered' };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const retryInSeconds =
      attempt < DELIVERY_ATTEMPTS ? backoffSeconds(attempt, deps.retryBaseSeconds) : undefined;
    const message_ = (error as Error).message.slice(0, 300);
    await deps.subscriptions.recordAttempt({
      ...record,
      outcome: 'failed',
      ...(typeof status === 'number' && { status }),
      error: message_,
      durationMs: Math.round(performance.now() - started),
      ...(retryInSeconds !== undefined && {
        nextAttemptAt: new Date(Date.parse(at) + retryInSeconds * 1000).toISOString(),
      }),
    });
    return { outcome: 'failed', error: message_, ...(retryInSeconds !== undefined && { retryInSeconds }) };
  }
};
