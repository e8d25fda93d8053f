import type { NotificationMessage } from '../domain/notifications';
import type { NotificationChannel } from '../ports';

/** Hands one message to its channel; a failure throws so the queue delivers it again (then parks it). */
export const deliverNotification = (
  channel: NotificationChannel,
  message: NotificationMessage,
): Promise<'delivered' | 'no-address'> => channel.deliver(message);
