import { describe, expect, it } from 'vitest';
import { ApiError, type ExportJob, NetworkError } from '../../web/src/api';
import { ExportFailedError, followExport } from '../../web/src/export-job';

const job = (over: Partial<ExportJob>): ExportJob => ({
  id: 'X01TESTJOB0000000000000000',
  kind: 'cases',
  format: 'csv',
  status: 'queued',
  phase: 'reading',
  rows: 0,
  progress: 0,
  filename: 'cases-2026-11-30.csv',
  ...over,
});

/** An API whose GET answers the given replies in turn (an Error is thrown). */
const scripted = (replies: (ExportJob | Error)[]) => {
  const polls: string[] = [];
  return {
    polls,
    api: {
      startExport: async () => job({}),
      exportJob: async (id: string) => {
        polls.push(id);
        const next = replies.shift();
        if (!next) throw new Error('polled past the script');
        if (next instanceof Error) throw next;
        return next;
      },
    },
  };
};

const instant = async () => undefined;

describe('followExport (the cockpit following an export job)', () => {
  it('reports every step and resolves with the done job and its link', async () => {
    const { api } = scripted([
      job({ status: 'running', rows: 1_000, progress: 0.08 }),
      job({ status: 'running', phase: 'writing', rows: 5_000, progress: 0.9 }),
      job({
        status: 'done',
        phase: 'writing',
        rows: 5_000,
        progress: 1,
        download: { url: 'http://s3/x', expiresAt: '' },
      }),
    ]);
    const seen: string[] = [];
    const done = await followExport(
      api,
      { kind: 'cases', format: 'csv' },
      {
        sleep: instant,
        onProgress: (j) => seen.push(`${j.status}:${j.rows}`),
      },
    );
    expect(done.download?.url).toBe('http://s3/x');
    expect(seen).toEqual(['queued:0', 'running:1000', 'running:5000', 'done:5000']);
  });

  it('looks again after a dropped poll, and ends with the reason of a failed job', async () => {
    const { api, polls } = scripted([
      new NetworkError('offline'),
      new ApiError(503, { title: 'Service Unavailable', status: 503, detail: '', type: '' } as never),
      job({ status: 'failed', failure: { rule: 'too_many_rows', reason: 'more than 250,000 rows' } }),
    ]);
    const error = await followExport(api, { kind: 'cases', format: 'csv' }, { sleep: instant }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ExportFailedError);
    expect((error as Error).message).toBe('more than 250,000 rows');
    expect(polls).toHaveLength(3);
  });

  it('gives up on a refusal (the job is not the caller’s)', async () => {
    const { api } = scripted([
      new ApiError(404, { title: 'Export job not found', status: 404, detail: '', type: '' } as never),
    ]);
    await expect(
      followExport(api, { kind: 'evaluation', month: '2026-11' }, { sleep: instant }),
    ).rejects.toBeInstanceOf(ApiError);
  });
});
