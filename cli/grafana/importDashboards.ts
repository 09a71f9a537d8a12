// `faultline dashboards import`, step by step: pick the CloudWatch
// datasource, find or create the folder, import each dashboard with the
// datasource mapped, read back its version.
import { OperationError } from '../common.js';
import { DASHBOARD_TAG, DS_INPUT, UID_PREFIX, type DashboardFile } from './dashboardFiles.js';
import type { GrafanaClient, GrafanaDatasource, GrafanaFolder } from './grafanaClient.js';

export interface ImportOptions {
  /** `--datasource`: else the only CloudWatch datasource. */
  readonly datasourceUid?: string;
  /** `--folder`: title, created when missing; else Grafana's General folder. */
  readonly folder?: string;
}

export interface ImportedDashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly url: string;
  readonly version: number;
}

export interface ImportOutcome {
  readonly grafanaUrl: string;
  readonly datasource: { readonly uid: string; readonly name: string };
  readonly folder: { readonly uid: string; readonly title: string; readonly created: boolean } | null;
  readonly dashboards: ImportedDashboard[];
}

const describe = (d: GrafanaDatasource) => `${d.name} (${d.uid})`;

export async function resolveDatasource(client: GrafanaClient, uid: string | undefined): Promise<GrafanaDatasource> {
  if (uid !== undefined) {
    const found = await client.getDatasource(uid);
    if (found === undefined) {
      throw new OperationError(`--datasource ${uid}: Grafana at ${client.baseUrl} has no datasource with that uid; expected the uid of a CloudWatch datasource`);
    }
    if (found.type !== 'cloudwatch') {
      throw new OperationError(`--datasource ${uid}: ${found.name} is a ${found.type} datasource; expected a CloudWatch one`);
    }
    return found;
  }
  const cloudwatch = (await client.listDatasources()).filter((d) => d.type === 'cloudwatch');
  if (cloudwatch.length === 0) {
    throw new OperationError(`Grafana at ${client.baseUrl} has no CloudWatch datasource: add one (Connections > Data sources), then import again`);
  }
  if (cloudwatch.length > 1) {
    throw new OperationError(
      `Grafana at ${client.baseUrl} has ${cloudwatch.length} CloudWatch datasources (${cloudwatch.map(describe).join(', ')}): expected --datasource UID to pick one`,
    );
  }
  return cloudwatch[0]!;
}

export async function resolveFolder(client: GrafanaClient, title: string): Promise<GrafanaFolder & { created: boolean }> {
  const existing = (await client.listFolders()).find((f) => f.title === title);
  if (existing) return { ...existing, created: false };
  return { ...(await client.createFolder(title)), created: true };
}

/** Pure: ours means our uid prefix and our tag, in the file and (when present) in Grafana. */
export const isFaultlineDashboard = (uid: string, tags: readonly string[]) => uid.startsWith(UID_PREFIX) && tags.includes(DASHBOARD_TAG);

export async function importDashboards(client: GrafanaClient, files: readonly DashboardFile[], opts: ImportOptions): Promise<ImportOutcome> {
  const datasource = await resolveDatasource(client, opts.datasourceUid);
  const folder = opts.folder === undefined ? null : await resolveFolder(client, opts.folder);
  const origin = new URL(client.baseUrl).origin;
  const dashboards: ImportedDashboard[] = [];
  for (const f of files) {
    // Overwrite only what faultline put there: a dashboard of someone else's
    // that happens to use our uid is left alone.
    const stored = await client.getDashboard(f.uid);
    if (stored !== undefined && !isFaultlineDashboard(stored.uid, stored.tags)) {
      throw new OperationError(
        `dashboard uid ${f.uid} already exists in Grafana at ${client.baseUrl} and is not a faultline dashboard (no "${DASHBOARD_TAG}" tag): not overwriting it`,
      );
    }
    const imported = await client.importDashboard({
      dashboard: f.json,
      overwrite: true,
      inputs: [{ name: DS_INPUT, type: 'datasource', pluginId: 'cloudwatch', value: datasource.uid }],
      folderUid: folder?.uid ?? '',
    });
    const after = await client.getDashboard(imported.uid);
    if (after === undefined) {
      throw new OperationError(`Grafana at ${client.baseUrl} accepted ${f.file} but has no dashboard ${imported.uid} afterwards`);
    }
    dashboards.push({
      file: f.file,
      uid: imported.uid,
      title: imported.title || f.title,
      url: new URL(imported.importedUrl || after.url, origin).href,
      version: after.version,
    });
  }
  return {
    grafanaUrl: client.baseUrl,
    datasource: { uid: datasource.uid, name: datasource.name },
    folder: folder === null ? null : { uid: folder.uid, title: folder.title, created: folder.created },
    dashboards,
  };
}
