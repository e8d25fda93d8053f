import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamLog } from '../../infra/local/dynamodb-stream';

const dirs: string[] = [];
const logFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'xietong-stream-'));
  dirs.push(dir);
  return join(dir, 'table.stream');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const change = (n: number) => ({
  eventName: 'MODIFY' as const,
  approximateCreationDateTime: 0,
  keys: { pk: { S: `CASE#${n}` }, sk: { S: 'CASE' } },
  newImage: { pk: { S: `CASE#${n}` }, sk: { S: 'CASE' }, n: { N: String(n) } },
});
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('the local change stream’s log', () => {
  it('resumes after its checkpoint when reopened, and skips a line a crash cut short', () => {
    const file = logFile();
    const log = new StreamLog(file);
    for (let n = 1; n <= 5; n++) log.append(change(n));
    const taken = log.read(3);
    log.checkpoint(taken[2]?.sequenceNumber ?? '');
    appendFileSync(file, '{"eventID":"0000'); // a write killed mid-append was never acknowledged

    const reopened = new StreamLog(file);
    expect(reopened.read(10).map((r) => r.newImage?.n)).toEqual([{ N: '4' }, { N: '5' }]);
    reopened.append(change(6));
    const [, , sixth] = reopened.read(10);
    // Sequence numbers go on from the last one recorded, in string order.
    expect((sixth?.sequenceNumber ?? '') > (taken[2]?.sequenceNumber ?? '')).toBe(true);
  });

  it('rewrites the file without consumed records once there are enough of them, and only then', () => {
    const file = logFile();
    const log = new StreamLog(file, 10);
    for (let n = 1; n <= 25; n++) log.append(change(n));
    const first = log.read(9);
    log.checkpoint(first[8]?.sequenceNumber ?? '');
    expect(lines(file)).toBe(25);
    const next = log.read(2);
    log.checkpoint(next[1]?.sequenceNumber ?? '');
    expect(lines(file)).toBe(14);
    // Appends after a rewrite don't rewrite it again.
    for (let n = 26; n <= 30; n++) log.append(change(n));
    expect(lines(file)).toBe(19);
    expect(new StreamLog(file).pending).toBe(19);
  });
});
