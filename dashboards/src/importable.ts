// Turns a built dashboard into the file Grafana's Import screen (and
// POST /api/dashboards/import) accepts as it is: `__inputs` asks for the
// CloudWatch datasource, `__requires` names the plugins the panels need.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/** The import input every datasource reference resolves through. */
export const DS_INPUT = 'DS_CLOUDWATCH';

/** Oldest Grafana the panels and CloudWatch queries are written for. */
export const MIN_GRAFANA_VERSION = '11.0.0';

const PANEL_NAMES: Readonly<Record<string, string>> = {
  timeseries: 'Time series',
  table: 'Table',
  stat: 'Stat',
  text: 'Text',
  row: 'Row',
};

export interface ImportInput {
  name: string;
  label: string;
  description: string;
  type: 'datasource';
  pluginId: 'cloudwatch';
  pluginName: 'CloudWatch';
}

export interface ImportRequirement {
  type: 'grafana' | 'datasource' | 'panel';
  id: string;
  name: string;
  version: string;
}

export type ImportableDashboard = { __inputs: ImportInput[]; __requires: ImportRequirement[] } & Dashboard;

/** Pure: the dashboard with `__inputs` and `__requires` first, as Grafana's own export writes them. */
export function toImportable(dashboard: Dashboard): ImportableDashboard {
  const panelTypes = [...new Set((dashboard.panels ?? []).map((p) => p.type))].filter((t) => t !== 'row').sort();
  return {
    __inputs: [
      {
        name: DS_INPUT,
        label: 'CloudWatch',
        description: 'The CloudWatch datasource of the account the functions run in',
        type: 'datasource',
        pluginId: 'cloudwatch',
        pluginName: 'CloudWatch',
      },
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: MIN_GRAFANA_VERSION },
      { type: 'datasource', id: 'cloudwatch', name: 'CloudWatch', version: '1.0.0' },
      ...panelTypes.map((id): ImportRequirement => ({ type: 'panel', id, name: PANEL_NAMES[id] ?? id, version: '' })),
    ],
    ...dashboard,
  };
}
