/**
 * The one way a benchmark hands its figures to the report. Every `bench/*.ts` prints its figures for
 * a human and also calls `recordFigures`; when `npm run bench` runs it, `XT_BENCH_OUT` names a JSON
 * Lines file that collects them, and `bench/index.ts` turns that file into `bench/RESULTS.md`.
 * Run on its own, a bench only prints.
 */
import { appendFileSync } from 'node:fs';

export interface Figure {
  /** What was measured, in words a reader of the report understands ("intake p99 latency"). */
  name: string;
  value: number;
  /** 'ms', 'reports/s', 'MB', '%', 'KB', 'x' (a ratio), … */
  unit: string;
  /** How it was measured or what it is compared with. */
  note?: string;
}

export interface BenchRecord {
  /** The benchmark's name, e.g. 'intake' or 'evidence'. */
  bench: string;
  figures: Figure[];
}

export function recordFigures(bench: string, figures: Figure[]): void {
  const out = process.env.XT_BENCH_OUT;
  if (!out) return;
  const record: BenchRecord = { bench, figures };
  appendFileSync(out, `${JSON.stringify(record)}\n`);
}
