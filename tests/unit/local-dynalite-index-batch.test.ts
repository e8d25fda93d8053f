import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryIndexPage } from '../../shared/adapters/aws/index-cursor';
import { INDEXES, type IndexDesign } from '../../shared/adapters/aws/table-design';
import { type Emulators, startEmulators } from '../support/emulators';

// The emulators' dynalite writes index entries as one batch (infra/local/dynalite-batched-indexes.ts),
// as the local cloud's does: an index must still show each item where its keys now put it, and only there.
let emulators: Emulators;
/** Every LevelDB write of the emulators' dynalite, as the operations it held. */
const levelWrites: { type: string; key: string }[][] = [];
beforeAll(async () => {
  // The store dynalite makes as its server starts: its LevelDB reports each write it makes.
  const db = createRequire(import.meta.url)('dynalite/db') as { create: (options: unknown) => unknown };
  const { create } = db;
  db.create = (options) => {
    const store = create(options) as { db: EventEmitter };
    store.db.on('write', (operations: { type: string; key: string }[]) => levelWrites.push(operations));
    return store;
  };
  emulators = await startEmulators();
  db.create = create;
});
afterAll(() => emulators.stop());

/** The items of one partition of an index, newest first, through the adapters' own page query. */
const inIndex = async (index: IndexDesign, partition: string) =>
  (await queryIndexPage(emulators.documents, { tableName: emulators.tableName, index, partition, limit: 50 }))
    .items;
const byStatus = async (status: string) =>
  (await inIndex(INDEXES.byStatus, `STATUS#${status}`)).map((item) => [item.pk, item.title]);
const inZone = async (zone: string) => (await inIndex(INDEXES.byZone, `ZONE#${zone}`)).map((item) => item.pk);

/** A LevelDB operation as what it writes: the item, or which index's entry (their keys are encoded). */
const whatItWrites = (op: { type: string; key: string }) =>
  `${op.type} ${op.key
    .split('~')
    .slice(0, op.key.startsWith('item-') ? 1 : 3)
    .join('~')}`;

const item = (id: string, status: string, title: string) => ({
  pk: `CASE#${id}`,
  sk: 'CASE',
  title,
  gsi2pk: `STATUS#${status}`,
  gsi2sk: `2026-12-07T10:00:00Z#${id}`,
  gsi4pk: 'ZONE#gudun',
  gsi4sk: `2026-12-07T10:00:00Z#${id}`,
});

describe('the local dynalite’s batched index writes', () => {
  it('moves an entry when its key changes, copies the new attributes, and drops it when the key goes', async () => {
    const { documents, tableName } = emulators;
    await documents.send(new PutCommand({ TableName: tableName, Item: item('a', 'reported', 'first') }));
    await documents.send(new PutCommand({ TableName: tableName, Item: item('b', 'reported', 'other') }));
    expect(await byStatus('reported')).toEqual([
      ['CASE#b', 'other'],
      ['CASE#a', 'first'],
    ]);

    // A put that moves one index's key and keeps another's.
    await documents.send(new PutCommand({ TableName: tableName, Item: item('a', 'registered', 'second') }));
    expect(await byStatus('reported')).toEqual([['CASE#b', 'other']]);
    expect(await byStatus('registered')).toEqual([['CASE#a', 'second']]);
    expect(await inZone('gudun')).toEqual(['CASE#b', 'CASE#a']);

    // An update that removes an index's key attributes takes the item out of that index only.
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'CASE#a', sk: 'CASE' },
        UpdateExpression: 'SET title = :t REMOVE gsi4pk, gsi4sk',
        ExpressionAttributeValues: { ':t': 'third' },
      }),
    );
    expect(await inZone('gudun')).toEqual(['CASE#b']);
    expect(await byStatus('registered')).toEqual([['CASE#a', 'third']]);

    // A delete, and a batch write of both kinds, through the same step.
    await documents.send(new DeleteCommand({ TableName: tableName, Key: { pk: 'CASE#b', sk: 'CASE' } }));
    expect(await byStatus('reported')).toEqual([]);
    await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [tableName]: [
            { PutRequest: { Item: item('c', 'registered', 'batched') } },
            { DeleteRequest: { Key: { pk: 'CASE#a', sk: 'CASE' } } },
          ],
        },
      }),
    );
    expect(await byStatus('registered')).toEqual([['CASE#c', 'batched']]);
    expect(await inZone('gudun')).toEqual(['CASE#c']);
  });

  it('writes a put’s item and its entries in one LevelDB batch', async () => {
    const { documents, tableName } = emulators;
    await documents.send(new PutCommand({ TableName: tableName, Item: item('e', 'reported', 'once') }));
    levelWrites.length = 0;
    await documents.send(new PutCommand({ TableName: tableName, Item: item('e', 'registered', 'twice') }));
    // The item, the status index's new entry and old one gone, the zone index's entry rewritten.
    expect(levelWrites).toHaveLength(1);
    expect(levelWrites[0]?.map(whatItWrites).sort()).toEqual(
      [
        `put item-${tableName}`,
        `put index-global~${tableName}~gsi2-status`,
        `del index-global~${tableName}~gsi2-status`,
        `put index-global~${tableName}~gsi4-zone`,
      ].sort(),
    );
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'CASE#e', sk: 'CASE' } }),
    );
    expect(Item).toEqual(item('e', 'registered', 'twice'));
    expect(await byStatus('registered')).toContainEqual(['CASE#e', 'twice']);
  });

  it('leaves an item whose condition fails, and its entries, as they were', async () => {
    const { documents, tableName } = emulators;
    await documents.send(new PutCommand({ TableName: tableName, Item: item('d', 'reported', 'kept') }));
    await expect(
      documents.send(
        new PutCommand({
          TableName: tableName,
          Item: item('d', 'closed', 'lost'),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toThrow(/conditional/i);
    expect(await byStatus('reported')).toEqual([['CASE#d', 'kept']]);
    expect(await byStatus('closed')).toEqual([]);
  });
});
