/**
 * DynamoDB Streams for dynalite, which has none. Every successful write dynalite makes (PutItem,
 * UpdateItem, DeleteItem, and BatchWriteItem through those) passes its `updateIndexes` step with the
 * item's exact old and new images, under dynalite's per-item lock, before the item is stored. A hook
 * there appends one stream record (view type NEW_AND_OLD_IMAGES) per change of a captured table to a
 * `StreamLog`: the records of one item come in the order of its writes, as on a shard. Writes refused
 * by a condition never reach the step, so they make no record, as on AWS.
 *
 * The log is one shard. With a file it is durable: records are appended synchronously before the
 * write is acknowledged, so a kill -9 loses none, and the consumer's checkpoint is kept beside them;
 * a restart resumes after the checkpoint (AWS keeps a stream 24 hours; here records stay until they
 * are consumed). Differences from AWS: one shard, no 24-hour trim, no resharding, and with a `keep`
 * filter only the changes a consumer's filter takes are recorded (see `captureChanges`).
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { batchIndexWrites } from './dynalite-batched-indexes';

type AttributeMap = Record<string, unknown>;

/** One change as a DynamoDB stream record carries it (the `dynamodb` part, in wire format). */
export interface ChangeRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** Decimal digits, zero-padded so that string order is sequence order. */
  sequenceNumber: string;
  /** Seconds since the epoch, as `ApproximateCreationDateTime`. */
  approximateCreationDateTime: number;
  keys: AttributeMap;
  oldImage?: AttributeMap;
  newImage?: AttributeMap;
}

/** A consumer's view of a change stream: read from the checkpoint on, then move the checkpoint. */
export interface ChangeStream {
  read(limit: number): Promise<{ records: ChangeRecord[]; pending: number }>;
  checkpoint(sequenceNumber: string): void;
}

const SEQUENCE_DIGITS = 21;
/** The log file is rewritten without its consumed records once it holds this many of them. */
const COMPACT_AFTER = 20_000;

export class StreamLog {
  private records: ChangeRecord[] = [];
  private next = 1;
  private consumedUpTo = '';
  /** Lines in the file: the records not yet consumed, and those consumed since the last rewrite. */
  private fileLines = 0;

  /**
   * `file`: keep the records (and `<file>.checkpoint`) on disk; in memory without one.
   * `compactAfter`: consumed records the file may hold before it is rewritten without them.
   */
  constructor(
    private readonly file?: string,
    private readonly compactAfter = COMPACT_AFTER,
  ) {
    if (!file || !existsSync(file)) return;
    const checkpoint = existsSync(`${file}.checkpoint`)
      ? readFileSync(`${file}.checkpoint`, 'utf8').trim()
      : '';
    this.consumedUpTo = checkpoint;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      // A line cut short by a crash mid-append belongs to a write that was never acknowledged.
      let record: ChangeRecord;
      try {
        record = JSON.parse(line) as ChangeRecord;
      } catch {
        continue;
      }
      this.next = Math.max(this.next, Number(record.sequenceNumber) + 1);
      this.fileLines++;
      if (record.sequenceNumber > checkpoint) this.records.push(record);
    }
  }

  append(change: Omit<ChangeRecord, 'eventID' | 'sequenceNumber'>): void {
    const sequenceNumber = String(this.next++).padStart(SEQUENCE_DIGITS, '0');
    const record: ChangeRecord = { eventID: sequenceNumber, sequenceNumber, ...change };
    if (this.file) {
      appendFileSync(this.file, `${JSON.stringify(record)}\n`);
      this.fileLines++;
    }
    this.records.push(record);
  }

  /** Up to `limit` records after the checkpoint, oldest first. */
  read(limit: number): ChangeRecord[] {
    return this.records.slice(0, limit);
  }

  get pending(): number {
    return this.records.length;
  }

  /** The consumer has processed every record up to `sequenceNumber`: they leave the log. */
  checkpoint(sequenceNumber: string): void {
    if (sequenceNumber <= this.consumedUpTo) return;
    this.consumedUpTo = sequenceNumber;
    let consumed = 0;
    while (consumed < this.records.length && (this.records[consumed]?.sequenceNumber ?? '') <= sequenceNumber)
      consumed++;
    this.records = this.records.slice(consumed);
    if (!this.file) return;
    writeFileSync(`${this.file}.checkpoint`, sequenceNumber);
    // Rewritten when the consumer has caught up on many records: then only the few after them move.
    if (this.fileLines - this.records.length >= this.compactAfter) this.compact();
  }

  /** Rewrites the file with the records not yet consumed (atomically: write, then rename). */
  private compact(): void {
    if (!this.file) return;
    this.fileLines = this.records.length;
    const temporary = `${this.file}.compacting`;
    writeFileSync(temporary, this.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(temporary, this.file);
  }
}

/** A log of this process read as a stream (tests, where dynalite runs in the test's process). */
export const streamOf = (log: StreamLog): ChangeStream => ({
  read: async (limit) => ({ records: log.read(limit), pending: log.pending }),
  checkpoint: (sequenceNumber) => log.checkpoint(sequenceNumber),
});

interface DynaliteTable {
  TableName: string;
  KeySchema: { AttributeName: string }[];
}
type UpdateIndexes = (
  store: unknown,
  table: DynaliteTable,
  oldItem: AttributeMap | undefined | null,
  newItem: AttributeMap | undefined | null,
  done: (error?: unknown) => void,
) => void;
interface DynaliteDb {
  updateIndexes: UpdateIndexes;
  [CAPTURED]?: Map<string, Capture>;
}

/** Which change a table's log records: those whose keys `keep` accepts, or all. */
interface Capture {
  log: StreamLog;
  keep?: (keys: AttributeMap) => boolean;
}

const CAPTURED = Symbol.for('xietong.dynamodb-stream.captured');

/**
 * Starts recording the changes of `tableName` (in every dynalite of this process) into `log`; the
 * returned function stops it. Installing twice wraps dynalite once.
 *
 * `keep`: record only the changes whose keys it accepts, i.e. what the one consumer's filter would
 * take (on AWS Lambda drops the rest before the function). Without it, writes the consumer causes
 * (the aggregator's own bucket items, tens of KB each, old and new image) would sit in the log, in
 * memory and on disk, behind a backlog of case changes until the consumer reached and skipped them.
 */
export const captureChanges = (
  tableName: string,
  log: StreamLog,
  keep?: (keys: AttributeMap) => boolean,
): (() => void) => {
  batchIndexWrites();
  const db = createRequire(import.meta.url)('dynalite/db') as DynaliteDb;
  let captured = db[CAPTURED];
  if (!captured) {
    const tables = new Map<string, Capture>();
    captured = tables;
    db[CAPTURED] = tables;
    const updateIndexes = db.updateIndexes;
    db.updateIndexes = (store, table, oldItem, newItem, done) =>
      updateIndexes(store, table, oldItem, newItem, (error) => {
        const target = tables.get(table.TableName);
        if (!error && target && (oldItem || newItem)) {
          const source = (newItem ?? oldItem) as AttributeMap;
          const keys = Object.fromEntries(
            table.KeySchema.map((k) => [k.AttributeName, source[k.AttributeName]]),
          );
          if (!target.keep || target.keep(keys)) {
            target.log.append({
              eventName: !oldItem ? 'INSERT' : !newItem ? 'REMOVE' : 'MODIFY',
              approximateCreationDateTime: Math.floor(Date.now() / 1000),
              keys,
              ...(oldItem && { oldImage: oldItem }),
              ...(newItem && { newImage: newItem }),
            });
          }
        }
        done(error);
      });
  }
  captured.set(tableName, { log, ...(keep && { keep }) });
  return () => {
    if (captured?.get(tableName)?.log === log) captured.delete(tableName);
  };
};
