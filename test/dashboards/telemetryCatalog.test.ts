// Cross-checks, in both directions, that the dashboards only ask for what
// the agent writes:
//   dashboards -> catalog: every metric, dimension set and Logs Insights
//     field a dashboard queries is in dashboards/src/telemetryCatalog.ts;
//   catalog -> agent: the agent, run in-process through wrap(), really
//     writes those metrics (EMF declarations, units, dimension sets) and
//     those log, span and fault-line fields.
// A metric or field renamed on either side fails here.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as catalog from '../../dashboards/src/telemetryCatalog.js';
import { wrap } from '../../src/wrap.js';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logging/logger.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import { createChaosEngine } from '../../src/chaos/engine.js';
import { createRuleStore } from '../../src/chaos/ruleStore.js';
import { MemorySink, lambdaContext, TEST_ENV } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';

type AnyRecord = Record<string, any>;

const dir = fileURLToPath(new URL('../../dashboards/', import.meta.url));
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, d: JSON.parse(readFileSync(dir + file, 'utf8')) as AnyRecord }));

/** Every query of a dashboard: panel targets and annotation targets. */
function queriesOf(d: AnyRecord): Array<{ where: string; q: AnyRecord; siblings: AnyRecord[] }> {
  const out: Array<{ where: string; q: AnyRecord; siblings: AnyRecord[] }> = [];
  for (const p of d.panels as AnyRecord[]) {
    for (const q of p.targets ?? []) out.push({ where: `panel "${p.title}"`, q, siblings: p.targets });
  }
  for (const a of d.annotations.list as AnyRecord[]) if (a.target) out.push({ where: `annotation "${a.name}"`, q: a.target, siblings: [a.target] });
  return out;
}

// ---- Logs Insights field extraction ----------------------------------------

const INSIGHTS_WORDS = new Set(['fields', 'filter', 'stats', 'sort', 'limit', 'dedup', 'display', 'parse', 'as', 'by', 'and', 'or', 'not', 'in', 'like', 'asc', 'desc']);

/** Pure: the log fields a Logs Insights query reads (not the names it defines with `as`). */
export function insightsFields(query: string): { read: string[]; defined: string[] } {
  const text = query
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\b(like|=~)\s*\/(?:[^/\\]|\\.)*\//g, '$1 ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const defined = [...text.matchAll(/\bas\s+([@A-Za-z_][\w.@]*)/g)].map((m) => m[1]!);
  const read: string[] = [];
  for (const m of text.matchAll(/(?<![\w.@])[@A-Za-z_][\w.@]*/g)) {
    const word = m[0];
    const after = text.slice(m.index! + word.length).trimStart();
    const before = text.slice(0, m.index!).trimEnd();
    if (after.startsWith('(')) continue; // a function: bin(), concat(), count(), ispresent()
    if (INSIGHTS_WORDS.has(word)) continue;
    if (/\bas$/.test(before)) continue;
    if (defined.includes(word)) continue;
    read.push(word);
  }
  return { read: [...new Set(read)], defined };
}

test('insightsFields reads fields and skips functions, keywords, literals and aliases', () => {
  assert.deepEqual(
    insightsFields('fields @timestamp, concat("a b", traceId) as c | filter level = "ERROR" and x.y like /z/ | stats count(*) as n by bin(1m), c | sort n desc'),
    { read: ['@timestamp', 'traceId', 'level', 'x.y'], defined: ['c', 'n'] },
  );
  assert.deepEqual(insightsFields('filter traceId = "$traceid"').read, ['traceId']);
});

// ---- dashboards -> catalog --------------------------------------------------

function metricQueryProblems(q: AnyRecord): string | undefined {
  const dims = Object.keys(q.dimensions ?? {}).sort();
  if (q.namespace === '$namespace') {
    if (!(q.metricName in catalog.AGENT_METRICS)) return `metric ${q.metricName} is not one the agent emits`;
    const sets = catalog.AGENT_METRIC_DIMENSION_SETS[q.metricName as catalog.AgentMetric].map((s) => [...catalog.AGENT_DIMENSION_SETS[s]].sort());
    if (!sets.some((s) => JSON.stringify(s) === JSON.stringify(dims))) return `${q.metricName} is not published with dimensions [${dims}]`;
    if (q.matchExact !== true) return 'agent metrics must match their dimension set exactly';
    return undefined;
  }
  if (q.namespace === catalog.LAMBDA_NAMESPACE) {
    if (!(catalog.LAMBDA_METRICS as readonly string[]).includes(q.metricName)) return `AWS/Lambda metric ${q.metricName} is not in the catalog`;
    if (JSON.stringify(dims) !== JSON.stringify([catalog.LAMBDA_DIMENSION])) return `AWS/Lambda dimensions [${dims}]`;
    return undefined;
  }
  return `namespace ${q.namespace}: expected $namespace or AWS/Lambda`;
}

function sqlProblems(sql: string): string | undefined {
  const schema = /FROM SCHEMA\("([^"]+)", ([^)]+)\)/.exec(sql);
  if (!schema) return `no SCHEMA(...) in ${sql}`;
  const ns = schema[1]!;
  const dims = schema[2]!.split(',').map((s) => s.trim()).sort();
  const metrics = [...sql.matchAll(/\b(?:SUM|AVG|MIN|MAX|COUNT)\((\w+)\)/g)].map((m) => m[1]!);
  if (metrics.length === 0) return `no metric in ${sql}`;
  for (const metricName of metrics) {
    const problem = metricQueryProblems({ namespace: ns, metricName, dimensions: Object.fromEntries(dims.map((k) => [k, '*'])), matchExact: true });
    if (problem) return problem;
  }
  return undefined;
}

test('every metric and dimension set a dashboard queries is in the telemetry catalog', () => {
  let metricQueries = 0;
  for (const { file, d } of dashboards) {
    for (const { where, q, siblings } of queriesOf(d)) {
      if (q.queryMode !== 'Metrics') continue;
      metricQueries++;
      if (q.metricName !== undefined) {
        assert.equal(metricQueryProblems(q), undefined, `${file} ${where}`);
      } else if (q.sqlExpression) {
        assert.equal(sqlProblems(q.sqlExpression), undefined, `${file} ${where}`);
      } else {
        // Metric math: every id it names is another query of the same panel.
        const ids = new Set(siblings.map((s) => s.id));
        const names = (q.expression as string).replace(/\b[A-Z_]+\(/g, '(').match(/\b[a-z]\w*\b/g) ?? [];
        assert.ok(names.length > 0, `${file} ${where}: expression ${q.expression} references no query`);
        for (const n of names) assert.ok(ids.has(n), `${file} ${where}: expression ${q.expression} names ${n}, not a query of the panel`);
      }
    }
  }
  assert.ok(metricQueries > 20, `expected the dashboards to hold metric queries, found ${metricQueries}`);
});

test('every Logs Insights query reads only fields the catalog lists', () => {
  let logQueries = 0;
  for (const { file, d } of dashboards) {
    for (const { where, q } of queriesOf(d)) {
      if (q.queryMode !== 'Logs' && q.annotationType !== 'logs') continue;
      logQueries++;
      for (const field of insightsFields(q.expression).read) {
        assert.ok(catalog.QUERYABLE_LOG_FIELDS.has(field), `${file} ${where}: field ${field} is not one the agent or Lambda writes`);
      }
    }
  }
  assert.ok(logQueries >= 6, `expected Logs Insights queries, found ${logQueries}`);
});

test('the live-rule annotation and the fault panels select the agent\'s fault line', () => {
  const gameDay = dashboards.find((x) => x.d.uid === 'faultline-gameday')!.d;
  const anno = (gameDay.annotations.list as AnyRecord[]).find((a) => a.target?.annotationType === 'logs');
  assert.ok(anno, 'a Logs Insights annotation');
  assert.match(anno.target.expression, new RegExp(`message = "${catalog.FAULT_LOG_MESSAGE}"`));
  for (const f of catalog.FAULT_LOG_FIELDS) assert.ok(anno.target.expression.includes(f), `annotation reads ${f}`);
});

// ---- catalog -> agent -------------------------------------------------------

/** Logs Insights flattens nested JSON into dotted field names. */
function flatten(o: AnyRecord, prefix = '', out = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix + k;
    out.add(key);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key + '.', out);
  }
  return out;
}

async function runAgent(t: TestContext) {
  const { sink } = installTestAgent(t);
  const handler = wrap(async (event: { fail?: boolean }) => {
    const { logger } = await import('../../src/index.js');
    logger.info('working');
    if (event.fail) throw new Error('boom');
    return { ok: true };
  });
  await handler({}, lambdaContext('req-1') as any);
  await assert.rejects(handler({ fail: true }, lambdaContext('req-2') as any), /boom/);
  return sink;
}

test('the agent emits every catalog metric with its unit, under the catalog dimension sets', async (t) => {
  const sink = await runAgent(t);
  const docs = sink.metrics();
  assert.ok(docs.length >= 2);
  const declared = new Map<string, string>();
  for (const doc of docs) {
    for (const decl of doc._aws.CloudWatchMetrics as AnyRecord[]) {
      assert.equal(decl.Namespace, catalog.DEFAULT_NAMESPACE);
      for (const dims of decl.Dimensions as string[][]) {
        for (const m of decl.Metrics as AnyRecord[]) declared.set(`${m.Name}|${[...dims].sort().join(',')}`, m.Unit);
      }
    }
    for (const f of catalog.EMF_FIELDS) assert.ok(f in doc, `EMF documents carry ${f}`);
  }
  const expected = new Map<string, string>();
  for (const [metric, sets] of Object.entries(catalog.AGENT_METRIC_DIMENSION_SETS)) {
    for (const s of sets) expected.set(`${metric}|${[...catalog.AGENT_DIMENSION_SETS[s]].sort().join(',')}`, catalog.AGENT_METRICS[metric as catalog.AgentMetric]);
  }
  assert.deepEqual(new Map([...declared].sort()), new Map([...expected].sort()));
  assert.equal(readConfig({}).metricsNamespace, catalog.DEFAULT_NAMESPACE);
});

test('the agent writes every catalog log and span field', async (t) => {
  const sink = await runAgent(t);
  const logFields = new Set<string>();
  for (const l of sink.logs()) flatten(l, '', logFields);
  for (const f of catalog.LOG_FIELDS) assert.ok(logFields.has(f), `log lines carry ${f}`);
  const failed = sink.spans().find((s) => s.status?.code === 'ERROR');
  assert.ok(failed, 'the failing invocation wrote an ERROR span');
  const spanFields = flatten(failed);
  for (const f of catalog.SPAN_FIELDS) {
    if (f === 'parentSpanId') continue; // absent on a root span by design
    assert.ok(spanFields.has(f), `span lines carry ${f}`);
  }
  assert.equal(failed.type, catalog.SPAN_TYPE);
});

test('the chaos engine writes the fault line the game-day dashboard looks for', () => {
  const sink = new MemorySink();
  const config = readConfig(TEST_ENV);
  const logger = createLogger(config, createRedactor([]), sink);
  // A real store over an empty source: the engine only needs it for decide(), not for injected().
  const store = createRuleStore({ source: { name: 'none', read: async () => [] }, refreshMs: 60_000, logger });
  const engine = createChaosEngine({ config, logger, store });
  engine.injected(
    { ruleId: 'ddb-throttle', scope: 'orders', targetText: 'aws:dynamodb', fault: { type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } } },
    undefined,
  );
  const [line] = sink.records();
  assert.ok(line, 'a WARN line');
  assert.equal(line.level, 'WARN');
  assert.equal(line.message, catalog.FAULT_LOG_MESSAGE);
  const fields = flatten(line);
  for (const f of catalog.FAULT_LOG_FIELDS) assert.ok(fields.has(f), `fault lines carry ${f}`);
  assert.equal(line['faultline.chaos.rule_id'], 'ddb-throttle');
});
