// A minimal DynamoDB client for the one thing the agent asks of the rule
// table: Query by partition key. The AWS SDK costs too much cold start
// (docs/benchmarks.md); this is JSON over node:http(s) with a keep-alive agent and SigV4 signing.
//
// Every request runs in the root context with tracing suppressed, so the
// agent's own outgoing instrumentation neither traces nor faults it, and
// nothing of the invocation that happened to trigger a refresh (its span, its
// async state) is held by the read.
import http from 'node:http';
import https from 'node:https';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { DYNAMODB, EndpointError, resolveAwsEndpoint } from '../awsEndpoint.js';
import { nonEmpty } from '../nonEmpty.js';
import { signRequest, type AwsCredentials } from './sigv4.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A rule-table read that takes longer than this counts as failed. */
export const DEFAULT_READ_TIMEOUT_MS = 2000;

/** A DynamoDB item as it travels in JSON (`{"scope": {"S": "orders"}}`). */
export type WireItem = Record<string, unknown>;

/** Why a read failed, in terms a warning can name. */
export class TableReadError extends Error {
  override name = 'TableReadError';
  constructor(
    /** The DynamoDB error code (`ResourceNotFoundException`), or `Timeout`, `NetworkError`, `BadResponse`, `NoCredentials`. */
    readonly code: string,
    message: string,
    readonly statusCode: number | undefined = undefined,
  ) {
    super(message);
  }
}

/** A request that failed on a reused keep-alive socket: worth one retry. */
class StaleSocketError extends TableReadError {}

export interface TableEndpoint {
  readonly url: URL;
  /** Region used in the signature's credential scope. */
  readonly region: string;
}

/**
 * The endpoint the AWS SDKs would use (src/awsEndpoint.ts): the configured
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL`, else the regional one of
 * the region's partition. Throws TableReadError naming what is missing or malformed.
 */
export function resolveTableEndpoint(env: Env, region: string | undefined): TableEndpoint {
  try {
    const { url, region: signingRegion } = resolveAwsEndpoint(DYNAMODB, region, env);
    return { url, region: signingRegion };
  } catch (err) {
    if (!(err instanceof EndpointError)) throw err;
    const message = err.code === 'NoRegion' ? 'no AWS region: set AWS_REGION (Lambda sets it) or AWS_ENDPOINT_URL_DYNAMODB' : err.message;
    throw new TableReadError(err.code, message);
  }
}

/** The credentials Lambda hands a function in its environment. */
export function credentialsFromEnv(env: Env): AwsCredentials {
  const accessKeyId = nonEmpty(env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = nonEmpty(env['AWS_SECRET_ACCESS_KEY']);
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new TableReadError('NoCredentials', 'no AWS credentials: expected AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  return { accessKeyId, secretAccessKey, sessionToken: nonEmpty(env['AWS_SESSION_TOKEN']) };
}

export interface TableReaderOptions {
  readonly table: string;
  readonly endpoint: TableEndpoint;
  readonly credentials: AwsCredentials;
  /** Whole-request budget, connection included. */
  readonly timeoutMs: number;
  /** Safety stop for a table that keeps paginating (1 MB per page). */
  readonly maxPages?: number;
}

export interface TableReader {
  /** Every item whose partition key `scope` equals `scope`, all pages. */
  queryScope(scope: string): Promise<WireItem[]>;
  /** Drops idle keep-alive sockets. */
  close(): void;
}

interface QueryPage {
  readonly Items?: WireItem[];
  readonly LastEvaluatedKey?: WireItem;
}

export function createTableReader(opts: TableReaderOptions): TableReader {
  const { url, region } = opts.endpoint;
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 4 });
  const host = url.host;
  const basePath = url.pathname === '' ? '/' : url.pathname;
  const maxPages = opts.maxPages ?? 50;

  /**
   * A keep-alive socket that the server closed while Lambda kept the process
   * frozen fails on first reuse; that one failure is retried on a fresh
   * socket (what Node's docs advise for `reusedSocket`), anything else is not.
   */
  async function post(target: string, payload: unknown): Promise<unknown> {
    try {
      return await postOnce(target, payload);
    } catch (err) {
      if (err instanceof StaleSocketError) return postOnce(target, payload);
      throw err;
    }
  }

  function postOnce(target: string, payload: unknown): Promise<unknown> {
    const body = JSON.stringify(payload);
    const headers = signRequest(
      {
        method: 'POST',
        host,
        path: basePath,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      },
      { region, service: 'dynamodb', credentials: opts.credentials, now: new Date() },
    );
    headers['content-length'] = String(Buffer.byteLength(body));

    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: TableReadError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      const req = transport.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: basePath,
          method: 'POST',
          headers,
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => fail(new TableReadError('NetworkError', 'the rule table response was cut off')));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = text === '' ? {} : JSON.parse(text);
            } catch {
              reject(new TableReadError('BadResponse', `HTTP ${status} with a body that is not JSON`, status));
              return;
            }
            if (status >= 200 && status < 300) resolve(parsed);
            else reject(errorFromBody(parsed, status));
          });
        },
      );
      // A process frozen by Lambda between invocations wakes with this timer
      // already due while the answer may sit unread in the socket: give the
      // poll phase one turn (setImmediate runs after it) before giving up.
      const timer = setTimeout(
        () => setImmediate(() => fail(new TableReadError('Timeout', `no answer within ${opts.timeoutMs} ms`))),
        opts.timeoutMs,
      );
      timer.unref();
      req.on('error', (err: NodeJS.ErrnoException) => {
        const message = `${err.code ?? err.name}: ${err.message}`;
        const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        fail(stale ? new StaleSocketError('NetworkError', message) : new TableReadError('NetworkError', message));
      });
      req.end(body);
    });
  }

  async function queryScope(scope: string): Promise<WireItem[]> {
    const items: WireItem[] = [];
    let startKey: WireItem | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = (await post('DynamoDB_20120810.Query', {
        TableName: opts.table,
        KeyConditionExpression: '#scope = :scope',
        ExpressionAttributeNames: { '#scope': 'scope' },
        ExpressionAttributeValues: { ':scope': { S: scope } },
        ConsistentRead: false,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      })) as QueryPage;
      if (result === null || typeof result !== 'object') {
        throw new TableReadError('BadResponse', 'Query answered with something other than a JSON object');
      }
      if (Array.isArray(result.Items)) items.push(...result.Items);
      startKey = result.LastEvaluatedKey;
      if (startKey === undefined) return items;
    }
    throw new TableReadError('BadResponse', `scope ${scope} has more than ${maxPages} pages of items`);
  }

  return {
    queryScope: (scope) => context.with(suppressTracing(ROOT_CONTEXT), () => queryScope(scope)),
    close: () => agent.destroy(),
  };
}

/** DynamoDB's JSON error: `{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": …}`. */
function errorFromBody(body: unknown, status: number): TableReadError {
  const b = (body ?? {}) as { __type?: unknown; message?: unknown; Message?: unknown };
  const type = typeof b.__type === 'string' ? b.__type : '';
  const code = type.slice(type.lastIndexOf('#') + 1) || `HTTP${status}`;
  const message = typeof b.message === 'string' ? b.message : typeof b.Message === 'string' ? b.Message : `HTTP ${status}`;
  return new TableReadError(code, message, status);
}
