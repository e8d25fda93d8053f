import type { DistrictConfig } from '../../district/schema';
import { type NotificationMessage, webhookOf } from '../../domain/notifications';
import type { NotificationChannel } from '../../ports';

export interface WebhookChannelOptions {
  district: Pick<DistrictConfig, 'departments' | 'zones' | 'commandCentre' | 'townLeader'>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

/**
 * POSTs the message as JSON to the recipient's webhook from the district file, with its key in the
 * `Idempotency-Key` header (the receiver drops repeats). Any answer but 2xx is retried by the queue.
 */
export class WebhookChannel implements NotificationChannel {
  constructor(private readonly options: WebhookChannelOptions) {}

  async deliver(message: NotificationMessage): Promise<'delivered' | 'no-address'> {
    const url = webhookOf(message.recipient, this.options.district);
    if (!url) return 'no-address';
    const send = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'idempotency-key': message.key,
          'user-agent': 'xietong-notifier',
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw new WebhookDeliveryError(`webhook ${new URL(url).host} unreachable: ${(error as Error).message}`);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok)
      throw new WebhookDeliveryError(`webhook ${new URL(url).host} answered ${response.status}`);
    return 'delivered';
  }
}
