// Panel shapes the dashboards share, and a flow layout so no dashboard
// hand-computes grid coordinates.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TableSortByFieldStateBuilder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, type Dashboard, type DataTransformerConfig, type DynamicConfigValue, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { CLOUDWATCH } from './queries.js';

type Query = Builder<Dataquery>;

/**
 * One series per function: the legend is a table sorted by the largest
 * value, so with a hundred functions the worst ones are on top, and the
 * tooltip lists them in the same order.
 */
export function perFunction(title: string, description: string, unit: string, queries: Query[]): TimeseriesPanel {
  let p = new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource(CLOUDWATCH)
    .unit(unit)
    .min(0)
    .fillOpacity(10)
    .lineWidth(1)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Right)
        .calcs(['max', 'mean'])
        .sortBy('Max')
        .sortDesc(true),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  for (const q of queries) p = p.withTarget(q);
  return p;
}

/** A single number over the time range. */
export function total(title: string, description: string, unit: string, calc: 'sum' | 'mean' | 'max' | 'lastNotNull', queries: Query[]): StatPanel {
  let p = new StatPanel()
    .title(title)
    .description(description)
    .datasource(CLOUDWATCH)
    .unit(unit)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs([calc]).values(false));
  for (const q of queries) p = p.withTarget(q);
  return p;
}

export function table(title: string, description: string, queries: Query[], sortBy?: { field: string; desc: boolean }): TablePanel {
  let p = new TablePanel().title(title).description(description).datasource(CLOUDWATCH);
  if (sortBy) p = p.sortBy([new TableSortByFieldStateBuilder().displayName(sortBy.field).desc(sortBy.desc)]);
  for (const q of queries) p = p.withTarget(q);
  return p;
}

/** Turns one time series per function into one table row per function (Metrics Insights top-N). */
export function seriesToRows(): DataTransformerConfig {
  return { id: 'reduce', options: { mode: 'seriesToRows', reducers: ['sum'], includeTimeField: false } };
}

/** A field override that turns a column's values into a link. */
export function linkOverride(title: string, url: string): DynamicConfigValue[] {
  return [{ id: 'links', value: [{ title, url, targetBlank: false }] }];
}

/** A panel and its stable key: the key, unique within its dashboard, is what the panel's id derives from. */
export type Cell = { key: string; panel: TimeseriesPanel | StatPanel | TablePanel; w: number; h: number };
export type Section = { key: string; row: string; cells: Cell[] };

/**
 * The id of the panel with this key (rows use `row:<section key>`): Grafana deep links
 * (`viewPanel=`, `editPanel=`) name a panel by its id, so the id comes from the key, not
 * from the panel's position, and stays put when panels are added, removed or moved.
 * FNV-1a over the key, folded into 1..999999 to keep links short.
 */
export function panelId(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % 999_999) + 1;
}

/**
 * Places sections top to bottom, each a row header followed by its panels flowing left
 * to right, and gives each its id from its key. Throws when two keys are the same or
 * give the same id: rename one.
 */
export function layout(dashboard: DashboardBuilder, sections: Section[]): DashboardBuilder {
  const keyOfId = new Map<number, string>();
  const idOf = (key: string): number => {
    const id = panelId(key);
    const taken = keyOfId.get(id);
    if (taken !== undefined) {
      throw new Error(taken === key ? `panel key "${key}" is used twice in one dashboard: give each panel its own key` : `panel keys "${taken}" and "${key}" give the same panel id ${id}: rename one`);
    }
    keyOfId.set(id, key);
    return id;
  };
  let y = 0;
  for (const section of sections) {
    dashboard = dashboard.withRow(new RowBuilder(section.row).id(idOf(`row:${section.key}`)).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const { key, panel, w, h } of section.cells) {
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      dashboard = dashboard.withPanel(panel.id(idOf(key)).gridPos({ x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return dashboard;
}

export type { Dashboard };
