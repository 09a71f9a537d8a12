// The agent's span: what the OpenTelemetry API's Span promises to the code
// that records it, and what the SDK's ReadableSpan gives exporters (the span
// line writer, the OTLP exporter, a test's processor). One is made for every
// outgoing call, so it keeps its times as epoch milliseconds and builds the
// [seconds, nanoseconds] pairs only when an exporter asks for them.
//
// Behaviour follows the SDK's SpanImpl (@opentelemetry/sdk-trace): attribute
// validation and limits, status precedence (OK is final, UNSET is ignored),
// events and links with their limits, exception events, nothing recorded
// after end().
import {
  diag,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { SpanLimits } from '../../config.js';
import { OPEN_SLOT, SPAN_OWNER } from '../../invocationState.js';
import { REDACTED } from '../redaction/redact.js';

// The limits are settings (src/config.ts reads them); spans and tracers take them from here too.
export type { SpanLimits };


/** The agent's redactor, as spans use it on the values they are given (src/telemetry/redaction/redact.ts). */
export interface SpanRedactor {
  isSensitive(key: string): boolean;
  scrubText(text: string): string;
}

/** What every span of one tracer shares. */
export interface SpanHost {
  readonly processor: SpanProcessor;
  readonly limits: SpanLimits;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  /** Applied to attribute values, event attributes (exceptions) and status messages; none in bare tests. */
  readonly redactor?: SpanRedactor;
}

/** A value under a sensitive key is replaced; strings are scrubbed of credentials, whatever exporter writes them. */
function cleanValue(redactor: SpanRedactor | undefined, key: string, value: AttributeValue): AttributeValue {
  if (redactor === undefined) return value;
  if (redactor.isSensitive(key)) return REDACTED;
  if (typeof value === 'string') return redactor.scrubText(value);
  if (Array.isArray(value) && value.some((e) => typeof e === 'string')) {
    return value.map((e) => (typeof e === 'string' ? redactor.scrubText(e) : e)) as AttributeValue;
  }
  return value;
}

const timeOrigin = performance.timeOrigin;

/** Epoch milliseconds now, at sub-millisecond resolution. */
export const nowMs = (): number => timeOrigin + performance.now();

export function msToHrTime(ms: number): HrTime {
  let seconds = Math.trunc(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return [seconds, nanos];
}

/** [seconds, nanoseconds] as ms. */
export const hrTimeToMs = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

/**
 * A TimeInput as epoch ms. Small numbers are performance.now() readings, as in the SDK;
 * `perfToEpoch` turns one into epoch ms (a span's own offset, see AgentSpan.perfToEpoch).
 */
export function timeInputToMs(input: TimeInput | undefined, perfToEpoch: number = timeOrigin): number {
  if (typeof input === 'number') return input <= performance.now() ? input + perfToEpoch : input;
  if (input instanceof Date) return input.getTime();
  if (Array.isArray(input) && input.length === 2) return hrTimeToMs(input as HrTime);
  return performance.now() + perfToEpoch;
}

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean';
}

/**
 * The SDK's rule (@opentelemetry/core): a primitive, or an array of one
 * primitive type (nulls allowed); null and undefined pass too (setAttribute
 * ignores them before asking; event and link attributes keep them).
 */
export function isAttributeValue(v: unknown): v is AttributeValue {
  if (v === null || v === undefined) return true;
  if (!Array.isArray(v)) return isPrimitive(v);
  let type: string | undefined;
  for (const e of v) {
    if (e === null || e === undefined) continue;
    if (type === undefined) {
      if (!isPrimitive(e)) return false;
      type = typeof e;
    } else if (typeof e !== type) {
      return false;
    }
  }
  return true;
}

/** Strings cut to the length limit; arrays always copied, so the caller's later changes don't reach the span. */
function truncate(value: AttributeValue, limit: number): AttributeValue {
  const cut = limit !== Infinity && limit > 0;
  if (typeof value === 'string') return cut && value.length > limit ? value.slice(0, limit) : value;
  if (Array.isArray(value)) {
    return (cut ? value.map((e) => (typeof e === 'string' && e.length > limit ? e.slice(0, limit) : e)) : value.slice()) as AttributeValue;
  }
  return value;
}

/** Copies valid attributes, at most `countLimit` of them; returns the copy and how many were dropped. */
function limitedAttributes(
  attrs: Attributes | undefined,
  countLimit: number,
  lengthLimit: number,
  redactor: SpanRedactor | undefined,
): { attributes: Attributes; dropped: number; count: number } {
  const attributes: Attributes = {};
  let count = 0;
  let dropped = 0;
  // Not an object (a string would iterate as characters): none, as the SDK's sanitizeAttributes.
  if (typeof attrs === 'object' && attrs !== null) {
    for (const key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      const v = attrs[key];
      if (key === '' || !isAttributeValue(v)) continue;
      if (count >= countLimit) {
        dropped++;
        continue;
      }
      attributes[key] = v === null || v === undefined ? v : truncate(cleanValue(redactor, key, v), lengthLimit);
      count++;
    }
  }
  return { attributes, dropped, count };
}

// Most spans never get an event or a link, and keep the initial status: they share these until they do.
const NO_LINKS: Link[] = Object.freeze([]) as unknown as Link[];
const NO_EVENTS: TimedEvent[] = Object.freeze([]) as unknown as TimedEvent[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/**
 * Attributes the agent itself built for a span (an outgoing call's): distinct
 * keys, primitive values, a fresh object nobody else holds. Within the limits
 * the span takes the object as it is, instead of validating and copying each
 * one as setAttributes must for the function's own.
 */
export interface OwnAttributes {
  readonly attributes: Attributes;
  readonly count: number;
}

export class AgentSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  // Optional, as ReadableSpan declares it: a published `SpanContext | undefined` fails consumers under exactOptionalPropertyTypes.
  readonly parentSpanContext?: SpanContext;
  readonly attributes: Attributes;
  links: Link[] = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  status: SpanStatus = UNSET;
  /** Invocation bookkeeping (src/invocationState.ts), declared so that setting them keeps the object's shape. */
  [SPAN_OWNER]: unknown = undefined;
  [OPEN_SLOT]: number | undefined = undefined;
  /** Epoch ms. */
  readonly startMs: number;
  /** Epoch ms, or -1 while the span is open. */
  endMs = -1;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount = 0;
  /**
   * performance.now() + this = epoch ms, fixed at the span's start from the wall clock, as the
   * SDK does: over a long-lived environment (NTP adjusting the wall clock, a SnapStart restore)
   * the monotonic clock drifts from the wall clock, and the process-wide performance.timeOrigin
   * would misdate spans against the function's own log timestamps.
   */
  private readonly perfToEpoch: number;

  constructor(
    private readonly host: SpanHost,
    private readonly context: SpanContext,
    name: string,
    kind: SpanKind,
    parent: SpanContext | undefined,
    attributes: Attributes | undefined,
    links: readonly Link[] | undefined,
    startTime: TimeInput | undefined,
    own?: OwnAttributes,
  ) {
    // A client span's name is the agent's own (method, service.operation); any other may hold a URL or a token.
    this.name = own === undefined && host.redactor !== undefined ? host.redactor.scrubText(name) : name;
    this.kind = kind;
    this.parentSpanContext = parent;
    const wall = Date.now();
    this.perfToEpoch = wall - performance.now();
    this.startMs = startTime === undefined ? wall : timeInputToMs(startTime, this.perfToEpoch);
    const limits = host.limits;
    if (own !== undefined && own.count <= limits.attributeCountLimit && limits.attributeValueLengthLimit === Infinity) {
      // Nothing to validate, copy or cut: the span keeps the object.
      this.attributes = own.attributes;
      this.attributeCount = own.count;
    } else {
      this.attributes = {};
      if (own !== undefined) this.setAttributes(own.attributes);
    }
    if (links !== undefined) for (const l of links) this.addLink(l);
    if (attributes !== undefined) this.setAttributes(attributes);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  get startTime(): HrTime {
    return msToHrTime(this.startMs);
  }

  get endTime(): HrTime {
    return this.endMs < 0 ? [0, 0] : msToHrTime(this.endMs);
  }

  get duration(): HrTime {
    return this.endMs < 0 ? [-1, -1] : msToHrTime(this.endMs - this.startMs);
  }

  /** Duration in ms once ended (what the span line writes). */
  get durationMs(): number {
    return this.endMs < 0 ? -1 : this.endMs - this.startMs;
  }

  get ended(): boolean {
    return this.endMs >= 0;
  }

  get resource(): Resource {
    return this.host.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.host.scope;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (value === null || value === undefined || this.endMs >= 0 || key.length === 0) return this;
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const limits = this.host.limits;
    const isNew = !Object.prototype.hasOwnProperty.call(this.attributes, key);
    if (isNew && this.attributeCount >= limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = truncate(cleanValue(this.host.redactor, key, value), limits.attributeValueLengthLimit);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endMs >= 0) return this;
    const limits = this.host.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    if (this.events === NO_EVENTS) this.events = [];
    if (this.events.length >= limits.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attrs: Attributes | undefined;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
    } else {
      attrs = attributesOrTime;
    }
    const { attributes, dropped } = limitedAttributes(attrs, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit, this.host.redactor);
    this.events.push({ name, attributes, time: msToHrTime(timeInputToMs(time, this.perfToEpoch)), droppedAttributesCount: dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.endMs >= 0) return this;
    const limits = this.host.limits;
    if (limits.linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    if (this.links === NO_LINKS) this.links = [];
    if (this.links.length >= limits.linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    const { attributes, dropped, count } = limitedAttributes(link.attributes, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit, this.host.redactor);
    const processed: Link = { context: link.context };
    if (count > 0) processed.attributes = attributes;
    if (dropped > 0) processed.droppedAttributesCount = dropped;
    this.links.push(processed);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endMs >= 0 || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') {
      next.message = this.host.redactor === undefined ? status.message : this.host.redactor.scrubText(status.message);
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (this.endMs < 0) this.name = this.host.redactor === undefined ? name : this.host.redactor.scrubText(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endMs >= 0) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    const end = endTime === undefined ? performance.now() + this.perfToEpoch : timeInputToMs(endTime, this.perfToEpoch);
    this.endMs = end < this.startMs ? this.startMs : end;
    this.host.processor.onEnd(this);
  }

  isRecording(): boolean {
    return this.endMs < 0;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception) {
      if (exception.code) attributes['exception.type'] = exception.code.toString();
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) {
      this.addEvent('exception', attributes, time);
    }
  }
}

function isTimeInput(v: unknown): v is TimeInput {
  return typeof v === 'number' || v instanceof Date || (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number');
}

/** Start and duration of any ReadableSpan in ms: direct for ours, from the [s, ns] pairs for others. */
export function spanStartMs(span: ReadableSpan): number {
  return span instanceof AgentSpan ? span.startMs : hrTimeToMs(span.startTime);
}

export function spanDurationMs(span: ReadableSpan): number {
  return span instanceof AgentSpan ? span.durationMs : hrTimeToMs(span.duration);
}
