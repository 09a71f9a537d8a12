// Grafana's answers and network failures as one-line errors that say what
// to check. Pure: the client passes in what happened.
import { OperationError } from '../common.js';

/** Grafana's error bodies are `{"message": "...", "status": "..."}`; anything else is shown shortened. */
export function grafanaMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; status?: unknown };
    const parts = [parsed.message, parsed.status].filter((v): v is string => typeof v === 'string' && v !== '');
    if (parts.length > 0) return parts.join(': ');
  } catch {
    // not JSON: a proxy's HTML page or plain text
  }
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 120 ? text.slice(0, 117) + '...' : text;
}

export interface FailedCall {
  readonly base: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;
}

export function httpError({ base, method, path, status, body }: FailedCall): OperationError {
  const said = grafanaMessage(body);
  const detail = said ? ` (Grafana said: ${said})` : '';
  const call = `${method} ${path}`;
  switch (status) {
    case 401:
      return new OperationError(
        `Grafana at ${base} rejected the credentials (401 Unauthorized) on ${call}${detail}: check --token (a service-account token) or --user/--password`,
      );
    case 403:
      return new OperationError(
        `Grafana at ${base} denied ${call} (403 Forbidden)${detail}: the token or user needs the Editor role (dashboards:write, folders:create, datasources:read)`,
      );
    case 404:
      return new OperationError(
        `Grafana at ${base} has no ${call} (404 Not Found)${detail}: expected --grafana-url to be Grafana's root URL (with its sub-path, if any)`,
      );
    case 412:
      return new OperationError(
        `Grafana at ${base} refused ${call} (412 Precondition Failed)${detail}: a dashboard with the same uid or title changed or exists in that folder; remove it or import into another --folder`,
      );
    default:
      return new OperationError(`Grafana at ${base} answered ${status} to ${call}${detail}`);
  }
}

/** Error codes of the socket or undici, wherever Node put them (cause, AggregateError). */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (depth > 3 || e === null || typeof e !== 'object') return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((e as { cause?: unknown }).cause, depth + 1);
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const i of inner) visit(i, depth + 1);
  };
  visit(err, 0);
  return codes;
}

export function networkError(base: string, method: string, path: string, err: unknown, timeoutMs: number): OperationError {
  const codes = errorCodes(err);
  const has = (...c: string[]) => c.some((x) => codes.includes(x));
  if (has('ECONNREFUSED')) {
    return new OperationError(`cannot reach Grafana at ${base} (connection refused): is it running, and is --grafana-url right?`);
  }
  if (has('UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT')) {
    return new OperationError(`Grafana at ${base} did not answer ${method} ${path} within ${timeoutMs} ms: check --grafana-url, or raise --timeout`);
  }
  if (has('ENOTFOUND', 'EAI_AGAIN')) {
    return new OperationError(`cannot resolve the host of --grafana-url ${base}: expected a reachable Grafana host name`);
  }
  if (has('ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE')) {
    return new OperationError(`Grafana at ${base} closed the connection during ${method} ${path}: is --grafana-url a Grafana server (http vs https)?`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new OperationError(`cannot reach Grafana at ${base} (${codes[0] ?? message})`);
}
