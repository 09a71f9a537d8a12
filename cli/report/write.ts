// The functions the commands call: `faultline report`, `--report FILE` on
// `local` and `chaos run`, `--html FILE` on `logs correlate`. I/O lives here;
// everything they call is pure.
import { writeFile } from 'node:fs/promises';
import { makeDirs } from '../makeDirs.js';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import type { Correlation } from '../logs/correlate.js';
import { findCorrelation, type FindCorrelationOptions } from '../logs/findCorrelation.js';
import { buildReport, type BuildReportOptions } from './buildReport.js';
import type { GameDayReport, RequestRef } from './model.js';
import { renderReportHtml } from './reportPage.js';
import { waterfallModel, type WaterfallModel } from './waterfall.js';
import { renderWaterfallHtml } from './waterfallPage.js';

async function writeHtml(file: string, html: string): Promise<string> {
  const path = resolve(file);
  await makeDirs(dirname(path));
  await writeFile(path, html);
  return path;
}

export interface GameDayReportOptions extends BuildReportOptions {
  /** Write a waterfall page for this many requests (failed first, then the slowest) beside the report and link them. */
  readonly waterfalls?: number;
}

export interface WrittenReport {
  readonly path: string;
  readonly report: GameDayReport;
  readonly waterfalls: readonly string[];
}

/** Builds the report of a log source over a time window and writes it as one self-contained HTML file. */
export async function writeGameDayReport(file: string, opts: GameDayReportOptions): Promise<WrittenReport> {
  let report = await buildReport(opts);
  const written: string[] = [];
  const want = opts.waterfalls ?? 0;
  if (want > 0) {
    const path = resolve(file);
    const dir = join(dirname(path), `${basename(path, extname(path))}-requests`);
    const byId = new Map<string, string>();
    const picks: RequestRef[] = [];
    // One page per request across functions: two invocations of one trace share it.
    const idOf = (r: RequestRef) => r.traceId ?? r.requestId;
    for (const r of [...report.failed, ...report.slowest]) if (picks.length < want && !picks.some((p) => idOf(p) === idOf(r))) picks.push(r);
    for (const r of picks) {
      const out = join(dir, `${r.requestId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`);
      try {
        await writeRequestWaterfall(out, { source: opts.source, functions: opts.functions, id: r.traceId ?? r.requestId, range: opts.range });
      } catch {
        continue; // a request whose lines are gone gets no link, the report still does
      }
      written.push(out);
      byId.set(idOf(r), relative(dirname(path), out).split('\\').join('/'));
    }
    const link = (r: RequestRef): RequestRef => (byId.has(idOf(r)) ? { ...r, href: byId.get(idOf(r))! } : r);
    report = { ...report, slowest: report.slowest.map(link), failed: report.failed.map(link) };
  }
  return { path: await writeHtml(file, renderReportHtml(report)), report, waterfalls: written };
}

/** The request to find, as `logs correlate` takes it. */
export type RequestWaterfallOptions = FindCorrelationOptions;

/** Finds one request across functions (as `logs correlate`) and writes its waterfall page. */
export async function writeRequestWaterfall(file: string, opts: RequestWaterfallOptions): Promise<{ path: string; model: WaterfallModel; correlation: Correlation }> {
  const correlation = await findCorrelation(opts);
  const { path, model } = await writeCorrelationWaterfall(file, correlation);
  return { path, model, correlation };
}

/** For `logs correlate --html FILE`, which already holds the correlation. */
export async function writeCorrelationWaterfall(file: string, correlation: Correlation): Promise<{ path: string; model: WaterfallModel }> {
  const model = waterfallModel(correlation);
  return { path: await writeHtml(file, renderWaterfallHtml(model)), model };
}
