// The dashboards faultline ships, by file name. The generator writes them,
// the tests compare them, `faultline dashboards export|import` read the files.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { coldStartsDashboard, coldStartsSections } from './coldStartsDashboard.js';
import { functionsDashboard, functionsSections } from './functionsDashboard.js';
import { gameDayDashboard, gameDaySections } from './gameDayDashboard.js';
import { toImportable, type ImportableDashboard } from './importable.js';
import type { Section } from './panels.js';

export const DASHBOARDS: ReadonlyArray<{ file: string; build: () => Dashboard; sections: () => Section[] }> = [
  { file: 'functions.json', build: functionsDashboard, sections: functionsSections },
  { file: 'cold-starts.json', build: coldStartsDashboard, sections: coldStartsSections },
  { file: 'game-day.json', build: gameDayDashboard, sections: gameDaySections },
];

/** Pure: each dashboard file's exact text (2-space JSON and a final newline). */
export function renderDashboards(): Array<{ file: string; dashboard: ImportableDashboard; text: string }> {
  return DASHBOARDS.map(({ file, build }) => {
    const dashboard = toImportable(build());
    return { file, dashboard, text: JSON.stringify(dashboard, null, 2) + '\n' };
  });
}
