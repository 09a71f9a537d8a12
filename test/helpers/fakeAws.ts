// A real HTTP server on 127.0.0.1 standing in for AWS services that have no
// local server (CloudWatch Logs, CloudFormation). Requests are routed by
// `x-amz-target` (JSON protocols: the operation after the dot, the JSON body
// as input) or by the form's `Action` (query protocol: the form fields as
// input) to the handler the test registered; every call is recorded. A
// handler answers a JSON object, an AWS error, raw bytes (XML, an event
// stream), or never (hang). An operation with no handler gets an
// UnknownOperationException, so a call the test did not expect fails it.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before } from 'node:test';
import { crc32 } from 'node:zlib';

export interface RecordedCall {
  /** `FilterLogEvents`, `ListStackResources`, … */
  readonly operation: string;
  readonly protocol: 'json' | 'query';
  /** The parsed JSON body, or the form's fields. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly input: any;
  readonly headers: IncomingHttpHeaders;
}

const KIND = Symbol('fakeAwsAnswer');

type Special =
  | { readonly [KIND]: 'error'; readonly status: number; readonly type: string; readonly message: string }
  | { readonly [KIND]: 'raw'; readonly status: number; readonly headers: Record<string, string>; readonly chunks: readonly (string | Buffer)[]; readonly keepOpen: boolean }
  | { readonly [KIND]: 'hang' };

/** A 2xx JSON object, or one of awsError / raw / hang / queryXml / queryError / eventStream. */
export type Answer = object | Special;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (input: any, call: RecordedCall) => Answer | Promise<Answer>;

/** An AWS JSON error answer: `{"__type": type, "message": …}` with `status` (400 unless given). */
export const awsError = (type: string, message: string, status = 400): Answer => ({ [KIND]: 'error', status, type, message });

/** Bytes as they are, in these chunks (each written separately); `keepOpen` leaves the answer unfinished. */
export const raw = (status: number, headers: Record<string, string>, chunks: readonly (string | Buffer)[], keepOpen = false): Answer => ({ [KIND]: 'raw', status, headers, chunks, keepOpen });

/** No answer at all until the server closes. */
export const hang = (): Answer => ({ [KIND]: 'hang' });

/** A query-protocol answer (text/xml). */
export const queryXml = (xml: string, status = 200): Answer => raw(status, { 'content-type': 'text/xml' }, [xml]);

/** A query-protocol error: `<ErrorResponse><Error><Type>Sender</Type><Code>…` */
export const queryError = (code: string, message: string, status = 400): Answer =>
  queryXml(
    `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
    status,
  );

export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** One event stream message with string headers (what AWS sends for Live Tail). */
export function eventStreamMessage(headers: Record<string, string>, payload: string | Buffer): Buffer {
  const headerBytes = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name, 'utf8');
      const v = Buffer.from(value, 'utf8');
      const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      h.writeUInt8(n.length, 0);
      n.copy(h, 1);
      h.writeUInt8(7, 1 + n.length);
      h.writeUInt16BE(v.length, 2 + n.length);
      v.copy(h, 4 + n.length);
      return h;
    }),
  );
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const total = 12 + headerBytes.length + body.length + 4;
  const msg = Buffer.alloc(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(headerBytes.length, 4);
  msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
  headerBytes.copy(msg, 12);
  body.copy(msg, 12 + headerBytes.length);
  msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
  return msg;
}

/** A Live Tail event (`sessionStart`, `sessionUpdate`) as the service frames it. */
export const liveTailEvent = (eventType: string, body: object) =>
  eventStreamMessage({ ':message-type': 'event', ':event-type': eventType, ':content-type': 'application/json' }, JSON.stringify(body));

/** A Live Tail exception (`SessionTimeoutException`, …) as the service frames it. */
export const liveTailException = (type: string, message: string) =>
  eventStreamMessage({ ':message-type': 'exception', ':exception-type': type, ':content-type': 'application/json' }, JSON.stringify({ message }));

/** A 200 event stream answer of `messages`, each written separately; `keepOpen` leaves the session running. */
export const eventStream = (messages: readonly Buffer[], keepOpen = false): Answer =>
  raw(200, { 'content-type': 'application/vnd.amazon.eventstream' }, [liveTailEvent('initial-response', {}), ...messages], keepOpen);

/** Answers each in turn, then the last one forever (the mock's resolvesOnce…resolves). */
export function sequence(...answers: Answer[]): Handler {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)]!;
}

export class FakeAws {
  readonly calls: RecordedCall[] = [];
  readonly #handlers = new Map<string, Handler>();
  readonly #open = new Set<ServerResponse>();
  #whenClosed: Array<() => void> = [];
  readonly #server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void this.#serve(req.headers, Buffer.concat(chunks).toString('utf8'), res));
  });
  url = '';

  static async start(): Promise<FakeAws> {
    const fake = new FakeAws();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** What a client pointed here needs: both services' endpoints, a region and keys. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: this.url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDFAKEAWS',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
    };
  }

  /** Registers (replaces) the handler of `operation`. */
  on(operation: string, handler: Handler): this {
    this.#handlers.set(operation, handler);
    return this;
  }

  /** The inputs of the calls to `operation`, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputsOf(operation: string): any[] {
    return this.calls.filter((c) => c.operation === operation).map((c) => c.input);
  }

  /** Forgets the handlers and the calls; ends any answer still open. */
  reset(): void {
    this.#handlers.clear();
    this.calls.length = 0;
    for (const res of this.#open) res.destroy();
    this.#open.clear();
  }

  /** Resolves once no answer is held open (hanging, or a stream left running): the client has gone. */
  allAnswersClosed(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenClosed.push(resolve));
  }

  #hold(res: ServerResponse): void {
    this.#open.add(res);
    res.on('close', () => {
      this.#open.delete(res);
      if (this.#open.size === 0) for (const w of this.#whenClosed.splice(0)) w();
    });
  }

  async close(): Promise<void> {
    for (const res of this.#open) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #serve(headers: IncomingHttpHeaders, body: string, res: ServerResponse): Promise<void> {
    const target = headers['x-amz-target'];
    let call: RecordedCall;
    if (typeof target === 'string') {
      let input: unknown;
      try {
        input = JSON.parse(body);
      } catch {
        input = body;
      }
      call = { operation: target.slice(target.indexOf('.') + 1), protocol: 'json', input, headers };
    } else {
      const form = Object.fromEntries(new URLSearchParams(body));
      call = { operation: form['Action'] ?? '', protocol: 'query', input: form, headers };
    }
    this.calls.push(call);
    const handler = this.#handlers.get(call.operation);
    let answer: Answer;
    try {
      answer = handler ? await handler(call.input, call) : awsError('UnknownOperationException', `fakeAws: no handler for ${call.operation || '(no operation)'}`);
    } catch (err) {
      answer = awsError('InternalFailure', `fakeAws handler for ${call.operation} threw: ${(err as Error).message}`, 500);
    }
    this.#answer(call, answer, res);
  }

  #answer(call: RecordedCall, answer: Answer, res: ServerResponse): void {
    const special = (answer as Partial<Special>)[KIND] === undefined ? undefined : (answer as Special);
    if (special === undefined) {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' });
      res.end(JSON.stringify(answer));
      return;
    }
    switch (special[KIND]) {
      case 'error':
        if (call.protocol === 'query') {
          this.#answer(call, queryError(special.type, special.message, special.status), res);
          return;
        }
        res.writeHead(special.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' });
        res.end(JSON.stringify({ __type: `com.amazonaws.fake#${special.type}`, message: special.message }));
        return;
      case 'hang':
        this.#hold(res);
        return;
      case 'raw':
        res.writeHead(special.status, special.headers);
        for (const c of special.chunks) res.write(c);
        if (special.keepOpen) this.#hold(res);
        else res.end();
    }
  }
}

/**
 * A FakeAws for the suite that calls it: started before its tests, reset and
 * the tracked clients destroyed after each, closed after all.
 */
export function useFakeAws(onStart: (fake: FakeAws) => void = () => {}) {
  let fake: FakeAws | undefined;
  const opened: Array<{ destroy(): void }> = [];
  before(async () => {
    fake = await FakeAws.start();
    onStart(fake);
  });
  after(() => fake?.close());
  afterEach(() => {
    for (const c of opened.splice(0)) c.destroy();
    fake?.reset();
  });
  return {
    get aws(): FakeAws {
      if (fake === undefined) throw new Error('useFakeAws: the server starts in the suite\'s before hook');
      return fake;
    },
    /** Destroys `client` after the test. */
    track<T extends { destroy(): void }>(client: T): T {
      opened.push(client);
      return client;
    },
  };
}
