// The committed dashboards/*.json are exactly what the generator writes:
// edit dashboards/src/*.ts and run `node --import tsx dashboards/src/generate.ts`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from '../../dashboards/src/catalog.js';

const dir = fileURLToPath(new URL('../../dashboards/', import.meta.url));
const regenerate = 'run `node --import tsx dashboards/src/generate.ts` and commit the result';

test('the committed dashboard files equal the generator output', () => {
  const rendered = renderDashboards();
  const committed = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(committed, rendered.map((r) => r.file).sort(), `dashboards/*.json and the generator disagree on the files: ${regenerate}`);
  for (const { file, text } of rendered) {
    assert.equal(readFileSync(dir + file, 'utf8'), text, `dashboards/${file} differs from the generator output: ${regenerate}`);
  }
});

test('the generator is deterministic', () => {
  assert.deepEqual(
    renderDashboards().map((r) => r.text),
    renderDashboards().map((r) => r.text),
  );
});

test('the dashboards have distinct faultline uids, titles and the faultline tag', () => {
  const rendered = renderDashboards();
  const uids = rendered.map((r) => r.dashboard.uid);
  assert.deepEqual(uids, ['faultline-functions', 'faultline-coldstarts', 'faultline-gameday']);
  assert.equal(new Set(rendered.map((r) => r.dashboard.title)).size, rendered.length);
  for (const r of rendered) assert.ok(r.dashboard.tags?.includes('faultline'), `${r.file} is tagged faultline`);
});

test('every dashboard has the datasource, region, namespace and multi-value functions variables', () => {
  for (const { file, dashboard } of renderDashboards()) {
    const vars = new Map((dashboard.templating.list ?? []).map((v) => [v.name, v]));
    assert.equal(vars.get('datasource')?.type, 'datasource', file);
    assert.equal(vars.get('datasource')?.query, 'cloudwatch', file);
    assert.equal((vars.get('region')?.query as Record<string, string>).queryType, 'regions', file);
    assert.equal(vars.get('namespace')?.type, 'textbox', file);
    assert.equal(vars.get('namespace')?.query, 'Faultline', file);
    const fns = vars.get('functions');
    assert.equal(fns?.multi, true, file);
    assert.equal(fns?.includeAll, true, file);
    assert.equal(fns?.allValue, '*', `${file}: "All" is the CloudWatch wildcard, so a hundred functions stay one search`);
    assert.deepEqual(fns?.query, {
      refId: 'CloudWatchVariableQueryEditor-VariableQuery',
      region: '$region',
      namespace: '$namespace',
      metricName: 'Duration',
      dimensionKey: 'FunctionName',
      instanceID: '',
      attributeName: '',
      resourceType: '',
      queryType: 'dimensionValues',
    });
  }
});

test('panels fit the 24-column grid without overlapping', () => {
  for (const { file, dashboard } of renderDashboards()) {
    const taken = new Set<string>();
    for (const p of dashboard.panels ?? []) {
      const g = p.gridPos!;
      assert.ok(g.x >= 0 && g.x + g.w <= 24, `${file}: ${p.type} "${'title' in p ? p.title : ''}" leaves the grid`);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const cell = `${x},${y}`;
          assert.ok(!taken.has(cell), `${file}: panels overlap at ${cell}`);
          taken.add(cell);
        }
      }
    }
  }
});
