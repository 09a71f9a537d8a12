// The report and waterfall pages in a real headless Chromium: they open from
// disk with no network request and no console error, draw the expected
// series, bands and spans, show the same recovery figures as
// `faultline report --json`, and are not blank at laptop and phone widths
// (with FAULTLINE_UPDATE_SCREENSHOTS=1 the screenshots are written to docs/img/,
// the README's; otherwise to a temporary directory, so a test run leaves the tree clean).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { logDirSource } from '../../cli/logs/logDirSource.js';
import { buildCorrelation, correlationTarget } from '../../cli/logs/correlate.js';
import { parseLogLine } from '../../cli/logs/parseLogLine.js';
import type { GameDayReport } from '../../cli/report/model.js';
import { writeCorrelationWaterfall, writeRequestWaterfall } from '../../cli/report/write.js';
import { chromiumPath, launch, NO_CHROMIUM, openFile, pixelStats } from './browser.js';
import { GAME_DAY_FUNCTIONS, writeGameDayLogs, type GameDayLogs } from './gameDayLogs.js';
import { FUNCTIONS as SHOP_FUNCTIONS, RANGE as SHOP_RANGE, SHOP_DIR, TRACE as SHOP_TRACE } from '../logs/fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMG = process.env.FAULTLINE_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'img') : mkdtempSync(join(tmpdir(), 'faultline-img-'));
after(() => {
  if (!IMG.startsWith(ROOT)) rmSync(IMG, { recursive: true, force: true });
});
const skip = chromiumPath() === undefined ? NO_CHROMIUM : false;

let browser: Browser;
let tmp: string;
let logs: GameDayLogs;
let reportFile: string;
let cliJson: GameDayReport & { path: string; waterfallPaths: string[] };

async function boxes(page: Page, selectors: string[]): Promise<Record<string, { width: number; height: number } | null>> {
  const out: Record<string, { width: number; height: number } | null> = {};
  for (const s of selectors) {
    const b = await page.locator(s).first().boundingBox();
    out[s] = b && { width: b.width, height: b.height };
  }
  return out;
}

function assertNotBlank(png: Buffer, what: string): void {
  const s = pixelStats(png);
  assert.ok(s.variance > 50, `${what}: luminance variance ${s.variance.toFixed(1)}, a blank page has ~0`);
  assert.ok(s.colours >= 6, `${what}: ${s.colours} distinct colours`);
}

describe('report pages in headless Chromium', { skip }, () => {
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-report-'));
    logs = writeGameDayLogs(join(tmp, 'logs'));
    reportFile = join(tmp, 'out', 'gameday.html');
    // The real CLI in its own process: the page it writes and the figures its --json prints.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'cli', 'bin.ts'), 'report', '--source', logs.dir, '--functions', GAME_DAY_FUNCTIONS.join(','), '--since', new Date(logs.startMs).toISOString(), '--until', new Date(logs.endMs).toISOString(), '--out', reportFile, '--title', 'Local game day', '--waterfalls', '3', '--json'],
      { cwd: ROOT, maxBuffer: 1 << 26 },
    );
    cliJson = JSON.parse(stdout);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('the game-day report: series, bands, recovery equal to --json, no network, not blank at 1280 and 390', async () => {
    assert.equal(cliJson.path, reportFile);
    assert.equal(cliJson.bands.length, 2, 'two rules, each a band');
    for (const width of [1280, 390]) {
      const p = await openFile(browser, reportFile, width);
      try {
        const { page } = p;
        const charts = await page.locator('figure.chart').count();
        assert.equal(charts, 3 * (1 + GAME_DAY_FUNCTIONS.length), 'rate, errors and latency, overall and per function');
        assert.equal(await page.locator('path[data-series]').count(), 4 * (1 + GAME_DAY_FUNCTIONS.length), 'requests, errors, p50, p99 per group');
        assert.equal(await page.locator('rect[data-band]').count(), charts * cliJson.bands.length, 'every band on every chart');
        assert.deepEqual(await page.locator('figure.chart').first().locator('rect[data-band]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-band'))), cliJson.bands.map((b) => b.ruleId));
        // Recovery figures: the page's and the CLI's --json are the same numbers.
        const rows = await page.locator('#recovery tbody tr').evaluateAll((trs) => trs.map((tr) => ({ rule: tr.getAttribute('data-rule'), errors: tr.getAttribute('data-errors-ms'), latency: tr.getAttribute('data-latency-ms') })));
        assert.deepEqual(rows, cliJson.recovery.map((x) => ({ rule: x.ruleId, errors: String(x.errorsMs ?? 'none'), latency: String(x.latencyMs ?? 'none') })));
        const embedded = JSON.parse(await page.locator('#data').textContent() ?? '{}') as GameDayReport;
        assert.deepEqual(embedded.recovery, cliJson.recovery);
        assert.deepEqual(embedded.totals, cliJson.totals);
        // Links to the failed and slowest requests' waterfalls, written beside the report.
        const hrefs = await page.locator('#failed a, #slowest a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
        assert.ok(hrefs.length >= 1, 'at least one request links to its waterfall');
        for (const h of hrefs) assert.ok(existsSync(join(dirname(reportFile), h)), `${h} exists`);
        // Layout present: the parts have boxes, nothing overflows the width.
        const b = await boxes(page, ['header h1', '.cards', '#recovery', 'figure.chart svg', '#faults', '#coldstarts', 'section.fn']);
        for (const [sel, box] of Object.entries(b)) assert.ok(box && box.width > 0 && box.height > 0, `${sel} has a box at ${width}px: ${JSON.stringify(box)}`);
        const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
        assert.ok(scrollWidth <= width + 1, `no horizontal scrolling at ${width}px (scrollWidth ${scrollWidth})`);
        const png = await page.screenshot({ fullPage: width === 390 ? false : false });
        assertNotBlank(png, `report at ${width}px`);
        mkdirSync(IMG, { recursive: true });
        writeFileSync(join(IMG, width === 1280 ? 'report.png' : 'report-phone.png'), png);
        assert.deepEqual(p.requests, [], 'no network request');
        assert.deepEqual(p.errors, [], 'no console error');
      } finally {
        await p.close();
      }
    }
  });

  test('the report reads in the dark colour scheme and in print', async () => {
    const p = await openFile(browser, reportFile, 1280, { colorScheme: 'dark' });
    try {
      const bg = await p.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      const lum = (c: string) => { const [r, g, b] = c.match(/\d+/g)!.map(Number); return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!; };
      assert.ok(lum(bg) < 60, `dark background, got ${bg}`);
      const fg = await p.page.evaluate<string>("getComputedStyle(document.querySelector('h1')).color");
      assert.ok(lum(fg) > 180, `light text on it, got ${fg}`);
      assertNotBlank(await p.page.screenshot(), 'dark report');
      await p.page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      const printBg = await p.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      assert.ok(lum(printBg) > 240, `print is on white, got ${printBg}`);
      const b = await boxes(p.page, ['figure.chart svg']);
      assert.ok(b['figure.chart svg']!.height > 0);
      assert.deepEqual(p.errors, []);
      assert.deepEqual(p.requests, []);
    } finally {
      await p.close();
    }
  });

  test('the waterfall of a failed request: spans nested, the fault on its span, attributes and lines on click', async () => {
    const file = join(tmp, 'failed.html');
    const { model } = await writeRequestWaterfall(file, { source: logDirSource(logs.dir), functions: GAME_DAY_FUNCTIONS, id: logs.failedTraceId, range: { startMs: logs.startMs, endMs: logs.endMs } });
    assert.equal(model.spans.length, 6, 'three invocations, each a server span and a client span');
    for (const width of [1280, 390]) {
      const p = await openFile(browser, file, width);
      try {
        const { page } = p;
        assert.equal(await page.locator('[data-span]').count(), model.spans.length);
        assert.equal(await page.locator('#span-count').textContent(), String(model.spans.length));
        const faulted = model.spans.findIndex((s) => s.faults.length > 0);
        assert.ok(faulted >= 0);
        assert.equal(await page.locator('i.fault').count(), model.spans.reduce((a, s) => a + s.faults.length, 0));
        assert.equal(await page.locator(`[data-span="${faulted}"] i.fault`).count(), 1, 'the fault is on the span it hit');
        await page.locator(`[data-span="${faulted}"]`).click();
        const attrs = await page.locator('#attrs').textContent();
        assert.match(attrs ?? '', /rpc\.method/);
        assert.match(attrs ?? '', /ProvisionedThroughputExceededException/);
        const req = model.spans[faulted]!.requestId;
        const expected = model.lines.filter((l) => l.requestId === req);
        assert.equal(await page.locator('#detail table.lines tr').count(), expected.length, "the request's lines");
        const times = await page.locator('#detail table.lines tr td:first-child').allTextContents();
        assert.equal(times.length, expected.length);
        const png = await page.screenshot();
        assertNotBlank(png, `waterfall at ${width}px`);
        if (width === 1280) writeFileSync(join(IMG, 'waterfall.png'), png);
        assert.deepEqual(p.requests, []);
        assert.deepEqual(p.errors, []);
      } finally {
        await p.close();
      }
    }
  });

  test('the shop fixture request: every span row, children below their parent', async () => {
    const file = join(tmp, 'shop.html');
    const { model } = await writeRequestWaterfall(file, { source: logDirSource(SHOP_DIR), functions: SHOP_FUNCTIONS, id: SHOP_TRACE, range: SHOP_RANGE });
    const p = await openFile(browser, file, 1280);
    try {
      const rows = await p.page.locator('[data-span]').count();
      assert.equal(rows, model.spans.length);
      model.spans.forEach((s, i) => {
        if (s.parent >= 0) {
          assert.ok(s.parent < i, 'a parent comes before its children');
          assert.equal(s.depth, model.spans[s.parent]!.depth + 1);
        }
      });
      assert.deepEqual(p.errors, []);
      assert.deepEqual(p.requests, []);
    } finally {
      await p.close();
    }
  });

  test('`logs correlate ID --html FILE`: the page the CLI writes has one row per span of the correlation', async () => {
    const file = join(tmp, 'correlate', 'shop-request.html');
    const common = [SHOP_TRACE, '--source', SHOP_DIR, '--functions', SHOP_FUNCTIONS.join(','), '--since', new Date(SHOP_RANGE.startMs).toISOString(), '--until', new Date(SHOP_RANGE.endMs).toISOString(), '--html', file];
    const cli = (extra: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'bin.ts'), 'logs', 'correlate', ...common, ...extra], { cwd: ROOT, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } });
    const text = await cli([]);
    assert.ok(text.stdout.trimEnd().endsWith(`waterfall: ${file} (${/\((\d+) spans\)\s*$/.exec(text.stdout)?.[1]} spans)`), `the path printed last: ${text.stdout.slice(-300)}`);
    const { stdout } = await cli(['--json']);
    const records = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(records.every((r) => typeof r.type === 'string'), 'every --json record has a type');
    const pageRecord = records.find((r) => r.type === 'waterfall-page') as { path: string; spans: number } | undefined;
    assert.equal(pageRecord?.path, file);
    // The correlation as `logs correlate` builds it, in this process: its waterfall rows are the page's spans.
    const { findCorrelation } = await import('../../cli/logs/findCorrelation.js');
    const correlation = await findCorrelation({ source: logDirSource(SHOP_DIR), functions: SHOP_FUNCTIONS, id: SHOP_TRACE, range: SHOP_RANGE });
    assert.ok(correlation.waterfall.length > 1);
    assert.equal(pageRecord?.spans, correlation.waterfall.length);
    const spanLines = records.filter((r) => r.type === 'span').length;
    assert.ok(spanLines > 0 && spanLines <= correlation.waterfall.length);
    const p = await openFile(browser, file, 1280);
    try {
      assert.equal(await p.page.locator('#span-count').textContent(), String(correlation.waterfall.length));
      assert.equal(await p.page.locator('[data-span]').count(), correlation.waterfall.length);
      assert.deepEqual(p.errors, []);
      assert.deepEqual(p.requests, []);
    } finally {
      await p.close();
    }
  });

  test('1,500 spans: rows are virtualised, the last is reachable, a hostile message stays text', async () => {
    const records = [];
    const trace = 'ab'.repeat(16);
    for (let i = 0; i < 1500; i++) {
      const doc = { type: 'span', traceId: trace, spanId: i.toString(16).padStart(16, '0'), ...(i ? { parentSpanId: Math.floor((i - 1) / 3).toString(16).padStart(16, '0') } : {}), name: `span ${i}`, kind: 'INTERNAL', startTime: 1_000_000 + i, durationMs: 5, status: { code: 'UNSET' }, attributes: i === 0 ? { i, 'faas.invocation_id': 'req-1' } : { i }, events: [], requestId: 'req-1', function: 'fn' };
      records.push(parseLogLine({ timestamp: 1_000_000 + i, message: JSON.stringify(doc) }, 'fn'));
    }
    records.push(parseLogLine({ timestamp: 1_000_100, message: JSON.stringify({ level: 'ERROR', message: '</script><script>window.__pwned=1</script>', requestId: 'req-1', traceId: trace, function: 'fn', spanId: '0'.repeat(16) }) }, 'fn'));
    const correlation = buildCorrelation(correlationTarget(trace), records, new Set(['req-1']), new Set([trace]));
    const file = join(tmp, 'big.html');
    const { model } = await writeCorrelationWaterfall(file, correlation);
    assert.equal(model.spans.length, 1500);
    const p = await openFile(browser, file, 1280);
    try {
      const { page } = p;
      const inDom = await page.locator('[data-span]').count();
      assert.ok(inDom > 10 && inDom < 200, `only rows in view are in the DOM (${inDom})`);
      await page.evaluate("(e => { e.scrollTop = e.scrollHeight; })(document.getElementById('wf-scroll'))");
      await page.waitForSelector('[data-span="1499"]');
      await page.locator('[data-span="0"]').count().then((n) => assert.equal(n, 0, 'the first row left the DOM'));
      await page.locator('[data-span="1499"]').click();
      await page.waitForSelector('#detail table.lines');
      assert.equal(await page.evaluate<unknown>('window.__pwned'), undefined);
      assert.match((await page.locator('#detail table.lines').textContent()) ?? '', /<\/script><script>/);
      assert.deepEqual(p.errors, []);
      assert.deepEqual(p.requests, []);
    } finally {
      await p.close();
    }
  });
});
