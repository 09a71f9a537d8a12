// The committed dashboard files checked against the Grafana Foundation SDK's
// typed model. The SDK's npm package ships no JSON schema (the jsonschema/
// folder lives only in its Git repository), so each file is compiled, as
// object literals, against the SDK's TypeScript types: Dashboard for the
// whole, the panel plugin's Options / FieldConfig for each panel, and the
// CloudWatch query types for every target. Object literals get excess
// property checks, so an unknown key fails as surely as a wrong type.
// `__inputs` / `__requires` (not part of the SDK model) are checked
// structurally the way Grafana's import reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dashboardsDir = root + 'dashboards/';
const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort();

const PANEL_TYPES: Record<string, { module: string; fieldConfig: boolean }> = {
  timeseries: { module: 'timeseries', fieldConfig: true },
  table: { module: 'table', fieldConfig: true },
  stat: { module: 'stat', fieldConfig: false },
};

/** JSON as the SDK types it: enums as their literal values, methods dropped. */
const PRELUDE = `
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as cloudwatch from '@grafana/grafana-foundation-sdk/cloudwatch';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type { LogsAnnotationQuery } from '../../dashboards/src/queries.js';
type Fn = (...args: any[]) => any;
type Json<T> = 0 extends 1 & T ? any
  : T extends Fn ? never
  : T extends string ? \`\${T}\`
  : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? Json<U>[]
  : T extends object ? { [K in keyof T as T[K] extends Fn ? never : K]: Json<T[K]> }
  : T;
`;

type AnyRecord = Record<string, any>;

function checkSource(name: string, d: AnyRecord): string {
  const { __inputs: _i, __requires: _r, ...model } = d;
  const out = [PRELUDE];
  const lit = (v: unknown) => JSON.stringify(v, null, 1);
  out.push(`export const dashboardModel: Json<dashboard.Dashboard> = ${lit(model)};`);
  (model.panels as AnyRecord[]).forEach((p, i) => {
    if (p.type === 'row') {
      out.push(`export const row${i}: Json<dashboard.RowPanel> = ${lit(p)};`);
      return;
    }
    const kind = PANEL_TYPES[p.type];
    if (!kind) {
      out.push(`export const unknownPanel${i}: never = ${lit(p.type)};`);
      return;
    }
    out.push(`export const options${i}: Json<${kind.module}.Options> = ${lit(p.options)};`);
    if (kind.fieldConfig) out.push(`export const custom${i}: Json<${kind.module}.FieldConfig> = ${lit(p.fieldConfig?.defaults?.custom ?? {})};`);
    (p.targets as AnyRecord[]).forEach((t, j) => {
      const type = t.queryMode === 'Logs' ? 'cloudwatch.LogsQuery' : 'cloudwatch.MetricsQuery';
      out.push(`export const target${i}_${j}: Json<${type}> = ${lit(t)};`);
    });
  });
  (model.annotations.list as AnyRecord[]).forEach((a, i) => {
    if (a.target) out.push(`export const annotationTarget${i}: Json<LogsAnnotationQuery> = ${lit(a.target)};`);
  });
  void name;
  return out.join('\n');
}

test('every dashboard file type-checks against the Grafana Foundation SDK model', () => {
  assert.ok(files.length >= 3, `expected at least 3 dashboards in dashboards/, found ${files.length}`);
  const sources = new Map<string, string>();
  for (const f of files) {
    const d = JSON.parse(readFileSync(dashboardsDir + f, 'utf8')) as AnyRecord;
    sources.set(`${root}test/dashboards/__model_${f.replace(/\W/g, '_')}.ts`, checkSource(f, d));
  }
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (p) => sources.get(p) ?? readFile(p);
  host.fileExists = (p) => sources.has(p) || fileExists(p);
  host.getSourceFile = (p, lang, onError, create) =>
    sources.has(p) ? ts.createSourceFile(p, sources.get(p)!, lang, true) : getSourceFile(p, lang, onError, create);
  const program = ts.createProgram([...sources.keys()], options, host);
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || sources.has(d.file.fileName))
    .map((d) => {
      const where = d.file ? `${d.file.fileName.replace(root, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  assert.deepEqual(diagnostics, []);
});

test('the type check catches a key the SDK model does not know', () => {
  // Guards the check above: a misspelt key in a query must fail it.
  const src = `${PRELUDE}\nexport const q: Json<cloudwatch.MetricsQuery> = { queryMode: 'Metrics', id: 'a', region: 'x', namespace: 'n', metricNmae: 'Duration' };`;
  const path = `${root}test/dashboards/__model_negative.ts`;
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (p) => p === path || fileExists(p);
  host.getSourceFile = (p, lang, onError, create) => (p === path ? ts.createSourceFile(p, src, lang, true) : getSourceFile(p, lang, onError, create));
  const program = ts.createProgram([path], options, host);
  const messages = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.ok(messages.some((m) => m.includes('metricNmae')), `expected an error about metricNmae, got: ${messages.join(' | ')}`);
});

test('__inputs and __requires are what Grafana\'s Import screen expects', () => {
  for (const f of files) {
    const d = JSON.parse(readFileSync(dashboardsDir + f, 'utf8')) as AnyRecord;
    assert.deepEqual(Object.keys(d).slice(0, 2), ['__inputs', '__requires'], `${f}: __inputs and __requires come first`);
    assert.deepEqual(
      d.__inputs.map((i: AnyRecord) => [i.name, i.type, i.pluginId]),
      [['DS_CLOUDWATCH', 'datasource', 'cloudwatch']],
      `${f}: one datasource input DS_CLOUDWATCH`,
    );
    for (const r of d.__requires) {
      assert.ok(['grafana', 'datasource', 'panel'].includes(r.type), `${f}: __requires type ${r.type}`);
      assert.equal(typeof r.id, 'string');
      assert.equal(typeof r.version, 'string');
    }
    const text = JSON.stringify(d);
    const panelTypes = new Set((d.panels as AnyRecord[]).map((p) => p.type).filter((t) => t !== 'row'));
    const required = new Set(d.__requires.filter((r: AnyRecord) => r.type === 'panel').map((r: AnyRecord) => r.id));
    assert.deepEqual([...required].sort(), [...panelTypes].sort(), `${f}: every panel plugin the dashboard uses is required`);
    assert.ok(d.__requires.some((r: AnyRecord) => r.type === 'datasource' && r.id === 'cloudwatch'), `${f}: requires cloudwatch`);
    // Every datasource reference goes through the `datasource` variable, which the import presets to the input.
    const refs = [...text.matchAll(/"datasource":\{"type":"([^"]+)","uid":"([^"]+)"\}/g)].map((m) => `${m[1]}:${m[2]}`);
    assert.ok(refs.length > 0);
    for (const ref of refs) assert.ok(ref === 'cloudwatch:${datasource}' || ref === 'grafana:-- Grafana --', `${f}: datasource ${ref}`);
    const dsVar = d.templating.list.find((v: AnyRecord) => v.type === 'datasource');
    assert.equal(dsVar.query, 'cloudwatch');
    assert.equal(dsVar.current.value, '${DS_CLOUDWATCH}');
    assert.equal(d.id, undefined, `${f}: no numeric id, so an import creates or overwrites by uid`);
  }
});
