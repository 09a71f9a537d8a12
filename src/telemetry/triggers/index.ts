// What invoked the function, read from the event alone — the public entry of the trigger
// modules, each with one job:
//   detect.ts       the trigger (source, `faas.trigger`, span kind) from the event's shape
//   http.ts         the HTTP server attributes, the caller's status, the request headers
//   attributes.ts   the invocation span's attributes per trigger, and its name
//   propagation.ts  the parent trace context (W3C from the event, else X-Ray)
//   links.ts        one span link per batch record that carries a context
//   records.ts      where a batch event's records sit
// All pure and cheap (called once per invocation) and none throws for any JSON value
// (what Lambda hands a handler): the agent must not hurt the function.
export type { RecordCarrier, TraceCarrier } from '../propagation/carriers.js';
export { TRIGGERS, detectTrigger, isTriggerBatch, type FaasTrigger, type TriggerInfo, type TriggerSource } from './detect.js';
export { headersOf, httpAttributes, httpStatusFromResult, type HttpAttributes } from './http.js';
export { invocationSpanName, triggerAttributes, type TriggerAttributes } from './attributes.js';
export { extractParentCarrier, type XRaySources } from './propagation.js';
export { MAX_RECORD_LINKS, recordLinks } from './links.js';
