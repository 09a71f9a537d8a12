// Panel ids: Grafana deep links (`viewPanel=<id>`, `editPanel=<id>`) name a panel by its id,
// so every panel (rows included) has one, unique within its dashboard, and a panel keeps its
// id when another panel or row is added anywhere — the id comes from the panel's key
// (dashboards/src/panels.ts), never from its position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARDS, renderDashboards } from '../../dashboards/src/catalog.js';
import { layout, panelId, total, type Cell, type Section } from '../../dashboards/src/panels.js';

type AnyPanel = { id?: number; title?: string; type?: string; panels?: AnyPanel[] };

/** Every panel in display order, those inside collapsed rows included. */
function allPanels(dashboard: { panels?: unknown[] }): AnyPanel[] {
  const out: AnyPanel[] = [];
  for (const p of (dashboard.panels ?? []) as AnyPanel[]) {
    out.push(p);
    for (const inner of p.panels ?? []) out.push(inner);
  }
  return out;
}

const ids = (d: Dashboard) => allPanels(d).map((p) => p.id);

function extraCell(key: string): Cell {
  return { key, w: 6, h: 4, panel: total(`extra ${key}`, 'added by the test', 'short', 'sum', []) };
}

test('every panel of every dashboard file has a positive integer id, unique within its dashboard', () => {
  for (const { file, dashboard } of renderDashboards()) {
    const seen = new Map<number, string>();
    for (const p of allPanels(dashboard)) {
      assert.ok(Number.isInteger(p.id) && p.id! > 0, `${file}: panel "${p.title}" has id ${p.id}`);
      assert.ok(!seen.has(p.id!), `${file}: panels "${seen.get(p.id!)}" and "${p.title}" share id ${p.id}`);
      seen.set(p.id!, p.title ?? '');
    }
  }
});

test('regenerating gives the same ids', () => {
  for (const { file, build } of DASHBOARDS) assert.deepEqual(ids(build()), ids(build()), file);
});

// Each insertion is placed before, between and after the existing panels and rows, so an id
// that followed the position (an index, a running counter, grid coordinates) changes.
const insertions: Array<[string, number, (sections: Section[]) => Section[]]> = [
  ['a panel first in the first row', 1, (s) => [{ ...s[0]!, cells: [extraCell('inserted'), ...s[0]!.cells] }, ...s.slice(1)]],
  ['a panel in the middle of the last row', 1, (s) => {
    const last = s[s.length - 1]!;
    const mid = Math.floor(last.cells.length / 2);
    return [...s.slice(0, -1), { ...last, cells: [...last.cells.slice(0, mid), extraCell('inserted'), ...last.cells.slice(mid)] }];
  }],
  ['a new row with a panel first', 2, (s) => [{ key: 'inserted-row', row: 'Inserted', cells: [extraCell('inserted')] }, ...s]],
];

for (const [what, count, insert] of insertions) {
  test(`adding ${what} leaves every other panel's id unchanged`, () => {
    for (const { file, sections } of DASHBOARDS) {
      const before = ids(layout(new DashboardBuilder('t'), sections()).build());
      const after = layout(new DashboardBuilder('t'), insert(sections())).build();
      const added = new Set([panelId('inserted'), panelId('row:inserted-row')]);
      const kept = allPanels(after).filter((p) => !added.has(p.id!)).map((p) => p.id);
      assert.deepEqual(kept, before, `${file}: ids moved when adding ${what}`);
      assert.equal(allPanels(after).length, before.length + count, `${file}: the added panel is there`);
    }
  });
}

test('a key used twice in one dashboard is refused, naming the key', () => {
  const sections: Section[] = [{ key: 'r', row: 'R', cells: [extraCell('same'), extraCell('same')] }];
  assert.throws(() => layout(new DashboardBuilder('t'), sections), /panel key "same" is used twice/);
});

test('panel ids are a pure function of the key', () => {
  assert.equal(panelId('invocations'), panelId('invocations'));
  assert.notEqual(panelId('invocations'), panelId('invocations-per-function'));
  for (const key of ['', 'a', 'row:overview', 'x'.repeat(500)]) {
    const id = panelId(key);
    assert.ok(Number.isInteger(id) && id >= 1 && id <= 999_999, `${key}: ${id}`);
  }
});
