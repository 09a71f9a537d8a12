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

export type Cell = { panel: TimeseriesPanel | StatPanel | TablePanel; w: number; h: number };
export type Section = { row: string; cells: Cell[] };

/** Places sections top to bottom, each a row header followed by its panels flowing left to right. */
export function layout(dashboard: DashboardBuilder, sections: Section[]): DashboardBuilder {
  let y = 0;
  for (const section of sections) {
    dashboard = dashboard.withRow(new RowBuilder(section.row).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const { panel, w, h } of section.cells) {
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      dashboard = dashboard.withPanel(panel.gridPos({ x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return dashboard;
}

export type { Dashboard };
