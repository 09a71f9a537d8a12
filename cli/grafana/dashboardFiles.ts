// The dashboard files shipped with faultline (dashboards/*.json at the
// package root): found from this module's location, both when run from
// source (cli/grafana) and from the build (dist/cli/grafana).
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../common.js';

/** Every faultline dashboard carries this uid prefix and tag: the only dashboards the import overwrites. */
export const UID_PREFIX = 'faultline-';
export const DASHBOARD_TAG = 'faultline';
export const DS_INPUT = 'DS_CLOUDWATCH';

export interface DashboardFile {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  /** The file's bytes, for `export`. */
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** The package root is the nearest directory above with the faultline package.json. */
export function packagedDashboardsDir(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'faultline') return join(dir, 'dashboards');
      } catch {
        // unreadable package.json: keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new OperationError('cannot find the faultline package root (dashboards/*.json): is the installation complete?');
    dir = up;
  }
}

/** Pure: a file's dashboard, or an error naming the file and what is wrong with it. */
export function parseDashboardFile(file: string, text: string): DashboardFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new OperationError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new OperationError(`${file}: expected a dashboard object`);
  const d = json as Record<string, unknown>;
  if (typeof d.uid !== 'string' || !d.uid.startsWith(UID_PREFIX)) {
    throw new OperationError(`${file}: uid ${JSON.stringify(d.uid)}: expected a faultline dashboard uid starting with ${UID_PREFIX}`);
  }
  if (typeof d.title !== 'string' || d.title === '') throw new OperationError(`${file}: expected a title`);
  const inputs = Array.isArray(d.__inputs) ? (d.__inputs as Array<{ name?: unknown }>) : [];
  if (!inputs.some((i) => i.name === DS_INPUT)) throw new OperationError(`${file}: expected an __inputs entry named ${DS_INPUT}`);
  return { file, uid: d.uid, title: d.title, text, json: d };
}

export async function readDashboardFiles(dir: string = packagedDashboardsDir()): Promise<DashboardFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new OperationError(`cannot read the dashboards in ${dir}: ${(err as Error).message}`);
  }
  if (names.length === 0) throw new OperationError(`no dashboard files (*.json) in ${dir}`);
  return Promise.all(names.map(async (n) => parseDashboardFile(n, await readFile(join(dir, n), 'utf8'))));
}
