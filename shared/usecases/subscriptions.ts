import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { Actor, Source } from '../domain/case';
import type { DistrictIndex } from '../domain/district-index';
import { InvalidInputError, SubscriptionNotFoundError } from '../domain/errors';
import type { DeliveryAttempt, Subscription, SubscriptionEvent } from '../domain/subscriptions';
import type { Clock, SubscriptionStore } from '../ports';

export interface SubscriptionDeps {
  subscriptions: SubscriptionStore;
  district: DistrictIndex;
  clock: Clock;
  newId?: () => string;
  newSecret?: () => string;
}

export interface NewSubscription {
  name: string;
  url: string;
  department?: string;
  source?: Source;
  events: SubscriptionEvent[];
}

/** Registers a webhook; the secret its deliveries are signed with is in this reply only. */
export const createSubscription = async (
  deps: SubscriptionDeps,
  request: { input: NewSubscription; actor: Actor },
): Promise<{ subscription: Subscription; secret: string }> => {
  const { input, actor } = request;
  if (
    input.department !== undefined &&
    !deps.district.config.departments.some((d) => d.id === input.department)
  ) {
    throw new InvalidInputError(
      'department',
      'unknown_department',
      `no department "${input.department}" in this district`,
    );
  }
  const subscription: Subscription = {
    id: (deps.newId ?? ulid)(),
    name: input.name,
    url: input.url,
    filter:
      input.department !== undefined ? { department: input.department } : { source: input.source as Source },
    events: [...new Set(input.events)],
    createdAt: deps.clock.now(),
    createdBy: actor.subject,
  };
  const secret = `whsec_${(deps.newSecret ?? (() => randomBytes(32).toString('base64url')))()}`;
  await deps.subscriptions.create({ subscription, secret });
  return { subscription, secret };
};

export const deleteSubscription = async (
  deps: Pick<SubscriptionDeps, 'subscriptions'>,
  id: string,
): Promise<void> => {
  if (!(await deps.subscriptions.delete(id))) throw new SubscriptionNotFoundError(id);
};

export const listDeliveries = async (
  deps: Pick<SubscriptionDeps, 'subscriptions'>,
  request: { id: string; limit: number; cursor?: string },
): Promise<{ items: DeliveryAttempt[]; cursor?: string }> => {
  if (!(await deps.subscriptions.get(request.id))) throw new SubscriptionNotFoundError(request.id);
  return deps.subscriptions.attempts(request.id, request.limit, request.cursor);
};
