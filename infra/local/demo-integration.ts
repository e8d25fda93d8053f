import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { Source } from '../../shared/domain/case';
import { formatApiKey, hashSecret } from '../../shared/domain/integration-key';
import type { IntegrationKeyStore } from '../../shared/ports';

/** What `GET /local/tokens` lists under `integrations`: a machine client and its key. */
export interface DemoIntegration {
  sub: string;
  name: string;
  role: 'integration';
  source: Source;
  keyId: string;
  apiKey: string;
}

interface StoredDemoKey {
  id: string;
  secret: string;
}

const DEMO_NAME = '本地演示集成 (Open311 client)';

/**
 * The local cloud's demo integration key (source `open311`, may report), so an Open311 client can
 * post at once. Only its hash is in the table, as for any key; the key itself is kept in the data
 * folder (mode 600) so it survives restarts, and is created again if the table lost it.
 */
export const ensureDemoIntegration = async (
  dataDir: string,
  keys: IntegrationKeyStore,
  now: string,
): Promise<DemoIntegration> => {
  const file = join(dataDir, 'local-integration-key.json');
  let stored: StoredDemoKey;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredDemoKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    stored = { id: ulid(), secret: randomBytes(32).toString('base64url') };
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  if (!(await keys.get(stored.id))) {
    await keys.create({
      key: {
        id: stored.id,
        name: DEMO_NAME,
        source: 'open311',
        actions: ['report'],
        rateLimitPerMinute: 600,
        createdAt: now,
        createdBy: 'local:runtime',
      },
      secretHash: hashSecret(stored.secret),
    });
  }
  return {
    sub: `key:${stored.id}`,
    name: DEMO_NAME,
    role: 'integration',
    source: 'open311',
    keyId: stored.id,
    apiKey: formatApiKey(stored.id, stored.secret),
  };
};
