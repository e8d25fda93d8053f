import type { NotificationMessage } from '../domain/notifications';
import type {
  CaseEventMessage,
  DeliveryAttempt,
  DeliveryMessage,
  StoredSubscription,
  Subscription,
} from '../domain/subscriptions';

// Notifications, case events and webhook deliveries on their way out.

/** Everything the notifier consumes: people's notifications, case events, subscription deliveries. */
export type NotifierMessage = NotificationMessage | CaseEventMessage | DeliveryMessage;

export interface NotificationQueue {
  publish(messages: NotifierMessage[]): Promise<void>;
}

/** Sends one webhook request; throws (with `status` when the receiver answered) unless it answered 2xx. */
export interface WebhookPoster {
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}

/** Puts a received queue message back out of sight for a while: the backoff before its next attempt. */
export interface MessageVisibility {
  delay(receiptHandle: string, seconds: number): Promise<void>;
}

/** Webhook subscriptions of systems (department systems, the hotline platform). */
export interface SubscriptionStore {
  create(stored: StoredSubscription): Promise<void>;
  get(id: string): Promise<StoredSubscription | undefined>;
  /** Every subscription, newest first, without secrets. */
  list(): Promise<Subscription[]>;
  /** Every subscription with its secret (the notifier matches and signs). */
  listStored(): Promise<StoredSubscription[]>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  recordAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** A subscription's delivery attempts, newest first. */
  attempts(
    subscriptionId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: DeliveryAttempt[]; cursor?: string }>;
}

/** One way to reach a recipient (a webhook now; SMS later). Throws when delivery should be retried. */
export interface NotificationChannel {
  deliver(message: NotificationMessage): Promise<'delivered' | 'no-address'>;
}
