// The few Grafana HTTP API calls the import needs, over undici. One Agent
// per client, closed by the caller, so a finished command leaves no socket.
import { Agent, request } from 'undici';
import { authorizationHeader, type GrafanaAuth } from './grafanaAuth.js';
import { credentialScrubber, scrubJson } from './credentialScrub.js';
import { httpError, networkError } from './grafanaErrors.js';
import { OperationError } from '../common.js';

export interface GrafanaDatasource {
  readonly uid: string;
  readonly name: string;
  readonly type: string;
}

export interface GrafanaFolder {
  readonly uid: string;
  readonly title: string;
}

export interface StoredDashboard {
  readonly uid: string;
  readonly version: number;
  readonly url: string;
  readonly tags: readonly string[];
}

export interface ImportInputValue {
  readonly name: string;
  readonly type: 'datasource';
  readonly pluginId: string;
  readonly value: string;
}

/** The body of POST /api/dashboards/import. */
export interface ImportRequest {
  readonly dashboard: Record<string, unknown>;
  readonly overwrite: boolean;
  readonly inputs: readonly ImportInputValue[];
  readonly folderUid: string;
}

export interface ImportResponse {
  readonly uid: string;
  readonly title: string;
  readonly importedUrl: string;
}

export interface GrafanaClient {
  readonly baseUrl: string;
  listDatasources(): Promise<GrafanaDatasource[]>;
  /** undefined when no datasource has this uid. */
  getDatasource(uid: string): Promise<GrafanaDatasource | undefined>;
  listFolders(): Promise<GrafanaFolder[]>;
  createFolder(title: string): Promise<GrafanaFolder>;
  /** undefined when no dashboard has this uid. */
  getDashboard(uid: string): Promise<StoredDashboard | undefined>;
  importDashboard(req: ImportRequest): Promise<ImportResponse>;
  close(): Promise<void>;
}

export interface GrafanaClientOptions {
  readonly url: URL;
  readonly auth: GrafanaAuth;
  /** Per request: connect, headers and body each. */
  readonly timeoutMs: number;
}

const asString = (v: unknown, what: string): string => {
  if (typeof v === 'string') return v;
  throw new OperationError(`Grafana answered without a ${what}: is --grafana-url a Grafana server?`);
};

export function createGrafanaClient({ url, auth, timeoutMs }: GrafanaClientOptions): GrafanaClient {
  const agent = new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const base = url.href.replace(/\/$/, '');
  const authorization = authorizationHeader(auth);
  const scrub = credentialScrubber(auth);

  /** `send`, with the credentials taken out of everything Grafana answered, errors included. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown, missingOk = false): Promise<unknown> {
    try {
      return scrubJson(await send(method, path, body, missingOk), scrub);
    } catch (err) {
      if (err instanceof Error) err.message = scrub(err.message);
      throw err;
    }
  }

  /** Returns the parsed JSON body, or undefined for a 404 when `missingOk`. */
  async function send(method: 'GET' | 'POST', path: string, body: unknown, missingOk: boolean): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authorization) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await request(new URL(path.replace(/^\//, ''), url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: agent,
      });
    } catch (err) {
      throw networkError(base, method, path, err, timeoutMs);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw networkError(base, method, path, err, timeoutMs);
    }
    if (res.statusCode === 404 && missingOk) return undefined;
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw httpError({ base, method, path, status: res.statusCode, body: scrub(text) });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OperationError(`Grafana at ${base} answered ${method} ${path} with something other than JSON: is --grafana-url Grafana's root URL?`);
    }
  }

  const toDatasource = (d: unknown): GrafanaDatasource => {
    const o = (d ?? {}) as Record<string, unknown>;
    return { uid: asString(o.uid, 'datasource uid'), name: String(o.name ?? ''), type: String(o.type ?? '') };
  };
  const toFolder = (f: unknown): GrafanaFolder => {
    const o = (f ?? {}) as Record<string, unknown>;
    return { uid: asString(o.uid, 'folder uid'), title: String(o.title ?? '') };
  };

  return {
    baseUrl: base,
    async listDatasources() {
      const list = await call('GET', '/api/datasources');
      if (!Array.isArray(list)) throw new OperationError(`Grafana at ${base} answered GET /api/datasources without a list`);
      return list.map(toDatasource);
    },
    async getDatasource(uid) {
      const d = await call('GET', `/api/datasources/uid/${encodeURIComponent(uid)}`, undefined, true);
      return d === undefined ? undefined : toDatasource(d);
    },
    async listFolders() {
      const list = await call('GET', '/api/folders?limit=1000');
      if (!Array.isArray(list)) throw new OperationError(`Grafana at ${base} answered GET /api/folders without a list`);
      return list.map(toFolder);
    },
    async createFolder(title) {
      return toFolder(await call('POST', '/api/folders', { title }));
    },
    async getDashboard(uid) {
      const found = (await call('GET', `/api/dashboards/uid/${encodeURIComponent(uid)}`, undefined, true)) as
        | { dashboard?: Record<string, unknown>; meta?: Record<string, unknown> }
        | undefined;
      if (found === undefined) return undefined;
      const dash = found.dashboard ?? {};
      return {
        uid: asString(dash.uid, 'dashboard uid'),
        version: typeof dash.version === 'number' ? dash.version : 0,
        url: typeof found.meta?.url === 'string' ? found.meta.url : '',
        tags: Array.isArray(dash.tags) ? dash.tags.filter((t): t is string => typeof t === 'string') : [],
      };
    },
    async importDashboard(req) {
      const res = (await call('POST', '/api/dashboards/import', req)) as Record<string, unknown>;
      return {
        uid: asString(res.uid, 'dashboard uid'),
        title: String(res.title ?? ''),
        importedUrl: typeof res.importedUrl === 'string' ? res.importedUrl : '',
      };
    },
    close: () => agent.close(),
  };
}
