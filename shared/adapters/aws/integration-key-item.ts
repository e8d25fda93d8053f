import type { IntegrationKey, StoredIntegrationKey } from '../../domain/integration-key';
import { INDEXES } from './table-design';

/**
 * The integration key entity in the single table. The list of keys is one partition of the `all`
 * index (INTEGRATION_KEYS, newest first): a district has tens of keys, never a scan.
 */
export const integrationKeyKey = (id: string) => ({ pk: `KEY#${id}`, sk: 'KEY' });

export const INTEGRATION_KEYS_PARTITION = 'INTEGRATION_KEYS';

const FIELDS = [
  'id',
  'name',
  'source',
  'actions',
  'rateLimitPerMinute',
  'department',
  'createdAt',
  'createdBy',
  'revokedAt',
  'revokedBy',
] as const satisfies readonly (keyof IntegrationKey)[];

export const toKeyItem = ({
  key,
  secretHash,
  signingSecret,
}: StoredIntegrationKey): Record<string, unknown> => ({
  ...key,
  ...integrationKeyKey(key.id),
  entity: 'integration-key',
  secretHash,
  ...(signingSecret !== undefined && { signingSecret }),
  [INDEXES.all.partitionKey]: INTEGRATION_KEYS_PARTITION,
  [INDEXES.all.sortKey]: `${key.createdAt}#${key.id}`,
});

/** The key's own fields only: the secret hash never leaves the adapter through here. */
export const keyFromItem = (item: Record<string, unknown>): IntegrationKey =>
  Object.fromEntries(
    FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
  ) as unknown as IntegrationKey;

export const storedKeyFromItem = (item: Record<string, unknown>): StoredIntegrationKey => ({
  key: keyFromItem(item),
  secretHash: String(item.secretHash ?? ''),
  ...(typeof item.signingSecret === 'string' && { signingSecret: item.signingSecret }),
});

/** One counter item per key and minute; it expires (TTL) when the window ends. */
export const rateWindowKey = (bucket: string, minute: string) => ({
  pk: `RATE#${bucket}#${minute}`,
  sk: 'RATE',
});
