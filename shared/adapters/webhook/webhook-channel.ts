import type { DistrictConfig } from '../../district/schema';
import { type NotificationMessage, webhookOf } from '../../domain/notifications';
import type { NotificationChannel, WebhookPoster } from '../../ports';

export interface WebhookOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface WebhookChannelOptions extends WebhookOptions {
  district: Pick<DistrictConfig, 'departments' | 'zones' | 'commandCentre' | 'townLeader'>;
}

export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

/**
 * POSTs a JSON body to a webhook: any answer but 2xx, a timeout or an unreachable host throws
 * (the queue retries). The one HTTP sender of the notifier, signed deliveries and plain ones alike.
 */
export class HttpWebhookPoster implements WebhookPoster {
  constructor(private readonly options: WebhookOptions = {}) {}

  async post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
    const send = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'xietong-notifier',
          ...headers,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw new WebhookDeliveryError(`webhook ${new URL(url).host} unreachable: ${(error as Error).message}`);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      throw Object.assign(
        new WebhookDeliveryError(`webhook ${new URL(url).host} answered ${response.status}`),
        {
          status: response.status,
        },
      );
    }
    return { status: response.status };
  }
}

/**
 * POSTs the message as JSON to the recipient's webhook from the district file, with its key in the
 * `Idempotency-Key` header (the receiver drops repeats). Any answer but 2xx is retried by the queue.
 */
export class WebhookChannel implements NotificationChannel {
  private readonly poster: HttpWebhookPoster;

  constructor(private readonly options: WebhookChannelOptions) {
    this.poster = new HttpWebhookPoster(options);
  }

  async deliver(message: NotificationMessage): Promise<'delivered' | 'no-address'> {
    const url = webhookOf(message.recipient, this.options.district);
    if (!url) return 'no-address';
    await this.poster.post(url, JSON.stringify(message), { 'idempotency-key': message.key });
    return 'delivered';
  }
}
