// A local stand-in for Grafana's HTTP API, strict the way Grafana is about
// what the import sends: paths and methods, the Authorization header, and
// the JSON payload of /api/dashboards/import (dashboard, overwrite, inputs
// mapping every __inputs entry, folderUid of an existing folder). It applies
// the inputs as Grafana does (`${DS_CLOUDWATCH}` replaced, __inputs and
// __requires dropped), stores dashboards with versions, and answers
// 401/403/404/412 on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type AnyRecord = Record<string, any>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: AnyRecord | undefined;
}

export interface Failure {
  readonly method: string;
  /** Matches when the request path starts with this. */
  readonly path: string;
  readonly status: 401 | 403 | 404 | 412 | 500;
  readonly message: string;
  readonly statusText?: string;
}

export interface FakeGrafanaOptions {
  /** The one credential accepted: `Bearer <token>` or `Basic <base64>`. Undefined: anonymous allowed. */
  readonly authorization?: string;
  readonly datasources?: Array<{ uid: string; name: string; type: string }>;
  readonly folders?: Array<{ uid: string; title: string }>;
  /** Dashboards already in Grafana (e.g. someone else's with our uid). */
  readonly dashboards?: AnyRecord[];
  /** Never answer: for timeouts. */
  readonly hang?: boolean;
  /** Grafana served under a sub-path (root_url with serve_from_sub_path), e.g. `/grafana`. */
  readonly basePath?: string;
  /**
   * A server (or proxy) that echoes the request's Authorization header into what it answers: raw in error
   * messages and datasource names, URL-encoded in import URLs, JSON-escaped in titles.
   */
  readonly echoAuthorization?: boolean;
}

export class FakeGrafana {
  readonly requests: RecordedRequest[] = [];
  readonly dashboards = new Map<string, { dashboard: AnyRecord; version: number; folderUid: string }>();
  readonly folders: Array<{ uid: string; title: string }>;
  failures: Failure[] = [];
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly opts: FakeGrafanaOptions) {
    this.folders = [...(opts.folders ?? [])];
    for (const d of opts.dashboards ?? []) this.dashboards.set(d.uid, { dashboard: d, version: d.version ?? 1, folderUid: '' });
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
    const g = new FakeGrafana(opts);
    await new Promise<void>((resolve) => g.server.listen(0, '127.0.0.1', resolve));
    return g;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private echoed: string | undefined;

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (this.opts.echoAuthorization && this.echoed !== undefined) body = echo(body, status, this.echoed);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    let body: AnyRecord | undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as AnyRecord;
      } catch {
        return this.send(res, 400, { message: 'bad request data' });
      }
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname + url.search, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
    this.echoed = req.headers.authorization;
    if (this.opts.hang) {
      this.hanging.add(res);
      return;
    }
    const base = this.opts.basePath ?? '';
    if (!url.pathname.startsWith(base + '/')) return this.send(res, 404, { message: 'Not found' });
    const path = url.pathname.slice(base.length);
    if (this.opts.authorization !== undefined && req.headers.authorization !== this.opts.authorization) {
      return this.send(res, 401, { message: 'Unauthorized', messageId: 'auth.unauthorized', statusCode: 401 });
    }
    const failure = this.failures.find((f) => f.method === method && path.startsWith(f.path));
    if (failure) return this.send(res, failure.status, { message: failure.message, ...(failure.statusText ? { status: failure.statusText } : {}) });
    if (body !== undefined && req.headers['content-type'] !== 'application/json') {
      return this.send(res, 415, { message: 'expected application/json' });
    }
    this.route(method, path, body, res);
  }

  private route(method: string, path: string, body: AnyRecord | undefined, res: ServerResponse): void {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/api/datasources') return this.send(res, 200, this.opts.datasources ?? []);
    if (method === 'GET' && (m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path))) {
      const ds = (this.opts.datasources ?? []).find((d) => d.uid === decodeURIComponent(m![1]!));
      return ds ? this.send(res, 200, { id: 1, ...ds }) : this.send(res, 404, { message: 'Data source not found' });
    }
    if (method === 'GET' && path === '/api/folders') return this.send(res, 200, this.folders.map((f, i) => ({ id: i + 1, ...f })));
    if (method === 'POST' && path === '/api/folders') {
      if (typeof body?.title !== 'string' || body.title === '') return this.send(res, 400, { message: 'folder title cannot be empty' });
      if (this.folders.some((f) => f.title === body.title)) return this.send(res, 409, { message: 'a folder with the same name already exists' });
      const folder = { uid: `folder-${this.folders.length + 1}`, title: body.title as string };
      this.folders.push(folder);
      return this.send(res, 200, { id: this.folders.length, ...folder, url: `/dashboards/f/${folder.uid}/` });
    }
    if (method === 'GET' && (m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path))) {
      const found = this.dashboards.get(decodeURIComponent(m[1]!));
      if (!found) return this.send(res, 404, { message: 'Dashboard not found' });
      return this.send(res, 200, {
        dashboard: { ...found.dashboard, version: found.version },
        meta: { url: `${this.opts.basePath ?? ''}/d/${found.dashboard.uid}/${slug(found.dashboard.title)}`, folderUid: found.folderUid, version: found.version },
      });
    }
    if (method === 'POST' && path === '/api/dashboards/import') return this.importDashboard(body, res);
    return this.send(res, 404, { message: 'Not found' });
  }

  private importDashboard(body: AnyRecord | undefined, res: ServerResponse): void {
    const problem = importProblem(body, this.folders);
    if (problem) return this.send(res, 400, { message: problem });
    const req = body!;
    const template = req.dashboard as AnyRecord;
    let text = JSON.stringify(template);
    for (const input of template.__inputs ?? []) {
      const value = (req.inputs as AnyRecord[]).find((i) => i.name === input.name)!.value as string;
      text = text.split('${' + input.name + '}').join(value);
    }
    const dashboard = JSON.parse(text) as AnyRecord;
    delete dashboard.__inputs;
    delete dashboard.__requires;
    const existing = this.dashboards.get(dashboard.uid);
    if (existing && req.overwrite !== true) {
      return this.send(res, 412, { message: 'A dashboard with the same uid already exists', status: 'name-exists' });
    }
    const version = (existing?.version ?? 0) + 1;
    this.dashboards.set(dashboard.uid, { dashboard, version, folderUid: req.folderUid });
    const s = slug(dashboard.title);
    return this.send(res, 200, {
      uid: dashboard.uid,
      pluginId: '',
      title: dashboard.title,
      imported: true,
      importedUri: `db/${s}`,
      importedUrl: `${this.opts.basePath ?? ''}/d/${dashboard.uid}/${s}`,
      slug: s,
      dashboardId: this.dashboards.size,
      folderId: 0,
      folderUid: req.folderUid,
      importedRevision: 1,
      revision: 1,
      description: '',
      path: '',
      removed: false,
    });
  }
}

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** What Grafana's import handler would reject, or undefined. */
export function importProblem(body: AnyRecord | undefined, folders: Array<{ uid: string }>): string | undefined {
  if (body === undefined) return 'expected a JSON body';
  const allowed = new Set(['dashboard', 'overwrite', 'inputs', 'folderUid', 'pluginId', 'path']);
  for (const k of Object.keys(body)) if (!allowed.has(k)) return `unexpected field ${k}`;
  const d = body.dashboard;
  if (d === null || typeof d !== 'object' || typeof d.uid !== 'string' || typeof d.title !== 'string') return 'dashboard: expected an object with uid and title';
  if (typeof body.overwrite !== 'boolean') return 'overwrite: expected a boolean';
  if (!Array.isArray(body.inputs)) return 'inputs: expected an array';
  for (const i of body.inputs) {
    if (typeof i.name !== 'string' || typeof i.type !== 'string' || typeof i.pluginId !== 'string' || typeof i.value !== 'string') {
      return 'inputs: expected {name, type, pluginId, value}';
    }
  }
  for (const want of d.__inputs ?? []) {
    const got = (body.inputs as AnyRecord[]).find((i) => i.name === want.name);
    if (!got || got.type !== want.type || got.pluginId !== want.pluginId) return `dashboard input missing: ${want.name}`;
  }
  if (typeof body.folderUid !== 'string') return 'folderUid: expected a string';
  if (body.folderUid !== '' && !folders.some((f) => f.uid === body.folderUid)) return `folder not found: ${body.folderUid}`;
  return undefined;
}

/** What an echoing server answers: the header in the error message, the names, titles and URLs. */
function echo(body: unknown, status: number, authorization: string): unknown {
  if (Array.isArray(body)) return body.map((b) => echo(b, status, authorization));
  if (body === null || typeof body !== 'object') return body;
  const o = { ...(body as AnyRecord) };
  if (status >= 400) o.message = `${String(o.message)} (request headers: authorization: ${authorization})`;
  if (typeof o.name === 'string') o.name = `${o.name} [${authorization}]`;
  if (typeof o.title === 'string') o.title = `${o.title} ${JSON.stringify({ seen: authorization })}`;
  if (typeof o.importedUrl === 'string') o.importedUrl = `${o.importedUrl}?auth=${encodeURIComponent(authorization)}`;
  return o;
}
