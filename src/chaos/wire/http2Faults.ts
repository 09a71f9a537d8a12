// Faults on node:http2 requests (ClientHttp2Session.request), which are not
// undici's: the request takes the undici call shape (a dispatch over handler
// callbacks), the interceptors of faultInterceptors.ts apply to it unchanged, and the caller gets an
// Http2FaultStream that those callbacks drive. Error and recorded response
// answer on that stream and never make the request; a hang holds it until the
// caller's own timeout or abort (else the budget fails it as ETIMEDOUT, as a
// dead connection would); latency makes the real request after the delay;
// corruption alters the real response's body.
import type { ClientHttp2Stream } from 'node:http2';
import type { Fault } from '../ruleTypes.js';
import type { Http2Request, OutgoingCall, UndiciDispatch } from '../../seam.js';
import { Http2FaultStream } from './http2Stream.js';
import { networkError } from './networkError.js';
import { faultInterceptor, sendsRealRequest } from './faultInterceptors.js';
import type { WireEnv } from './wireEnv.js';

export function http2Fault(fault: Fault, call: OutgoingCall, request: Http2Request, env: WireEnv): ClientHttp2Stream {
  const stream = new Http2FaultStream(request.session, request.headers, request.options, sendsRealRequest(fault));
  const realDispatch: UndiciDispatch = (_opts, handler) => {
    if (stream.destroyed) return false; // the caller gave up during the delay: no request
    stream.forward(request.open(), handler);
    return true;
  };
  const hangError = () => networkError('ETIMEDOUT', call.host, call.port);
  faultInterceptor(fault, call, env, hangError)(realDispatch)({ path: call.path, method: call.method }, stream);
  return stream as unknown as ClientHttp2Stream;
}
