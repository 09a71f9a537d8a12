// Pure: a correlation (cli/logs/correlate.ts) → the request waterfall page's
// data: spans nested by parent in depth-first order, faults on the span they
// hit, each span's attributes, and the request's lines in time order.
import type { Correlation } from '../logs/correlate.js';
import type { SpanRecord } from '../logs/records.js';

export interface WaterfallSpan {
  /** Index of the parent in `spans`, -1 for a root. */
  readonly parent: number;
  readonly depth: number;
  readonly function: string;
  readonly name: string;
  readonly kind: string;
  /** Ms after the request's first span or invocation started. */
  readonly startMs: number;
  readonly durationMs: number | null;
  readonly status: 'OK' | 'ERROR' | 'UNSET';
  readonly statusMessage: string | null;
  readonly coldStart: boolean;
  readonly faults: ReadonlyArray<{ readonly ruleId: string | null; readonly fault: string | null; readonly detail: string | null }>;
  readonly spanId: string | null;
  readonly requestId: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface WaterfallLine {
  readonly atMs: number;
  readonly function: string;
  readonly level: string;
  readonly message: string;
  readonly requestId: string | null;
  readonly spanId: string | null;
}

export interface WaterfallModel {
  readonly type: 'waterfall';
  readonly id: string;
  readonly traceIds: readonly string[];
  readonly t0Ms: number;
  readonly totalMs: number;
  readonly spans: readonly WaterfallSpan[];
  readonly lines: readonly WaterfallLine[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function waterfallModel(c: Correlation): WaterfallModel {
  const spans = new Map<string, SpanRecord>();
  for (const l of c.lines) if (l.record.kind === 'span' && !spans.has(l.record.spanId)) spans.set(l.record.spanId, l.record);
  const withSpan = new Set<string>();
  for (const s of spans.values()) if (s.isInvocation && s.requestId !== undefined) withSpan.add(s.requestId);
  const invocationsById = new Map(c.invocations.map((i) => [i.requestId, i]));

  type Node = { start: number; span?: SpanRecord; inv?: Correlation['invocations'][number] };
  const children = new Map<string, SpanRecord[]>();
  const roots: Node[] = [];
  for (const s of spans.values()) {
    if (s.parentSpanId !== undefined && spans.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    } else roots.push({ start: s.startTime, span: s });
  }
  for (const inv of c.invocations) if (!withSpan.has(inv.requestId)) roots.push({ start: inv.startMs, inv });
  roots.sort((a, b) => a.start - b.start);
  let t0 = Infinity;
  for (const r of roots) t0 = Math.min(t0, r.start);
  for (const l of c.lines) t0 = Math.min(t0, l.timestamp);
  if (t0 === Infinity) t0 = 0;

  const out: WaterfallSpan[] = [];
  // Iterative depth-first walk: a deep chain of spans must not exhaust the stack.
  const stack: Array<{ node: Node; parent: number; depth: number }> = roots.map((node) => ({ node, parent: -1, depth: 0 })).reverse();
  const seen = new Set<string>();
  while (stack.length) {
    const { node, parent, depth } = stack.pop()!;
    if (node.span) {
      const s = node.span;
      if (seen.has(s.spanId)) continue;
      seen.add(s.spanId);
      const inv = s.isInvocation && s.requestId !== undefined ? invocationsById.get(s.requestId) : undefined;
      const attrs = isObject(s.fields.attributes) ? s.fields.attributes : {};
      out.push({
        parent,
        depth,
        function: s.function,
        name: s.name,
        kind: s.spanKind,
        startMs: s.startTime - t0,
        durationMs: s.durationMs,
        status: s.status.code === 'ERROR' || inv?.error ? 'ERROR' : s.status.code,
        statusMessage: s.status.message ?? null,
        coldStart: s.coldStart || (inv?.coldStart ?? false),
        faults: s.faults.map((f) => ({ ruleId: f.ruleId ?? null, fault: f.fault ?? null, detail: f.detail ?? null })),
        spanId: s.spanId,
        requestId: s.requestId ?? null,
        attributes: attrs,
      });
      const me = out.length - 1;
      const kids = (children.get(s.spanId) ?? []).sort((a, b) => b.startTime - a.startTime);
      for (const k of kids) stack.push({ node: { start: k.startTime, span: k }, parent: me, depth: depth + 1 });
    } else if (node.inv) {
      const inv = node.inv;
      out.push({
        parent,
        depth,
        function: inv.function,
        name: `invocation ${inv.requestId}`,
        kind: 'INVOCATION',
        startMs: inv.startMs - t0,
        durationMs: inv.durationMs ?? null,
        status: inv.error ? 'ERROR' : 'UNSET',
        statusMessage: null,
        coldStart: inv.coldStart,
        faults: [],
        spanId: null,
        requestId: inv.requestId,
        attributes: { 'faas.invocation_id': inv.requestId, ...(inv.initDurationMs !== undefined ? { 'init.duration_ms': inv.initDurationMs } : {}), 'faults.injected': inv.faultsInjected },
      });
    }
  }
  let end = 0;
  for (const s of out) end = Math.max(end, s.startMs + (s.durationMs ?? 0));
  const lines: WaterfallLine[] = c.lines.map((l) => {
    const f = l.record.kind === 'log' ? l.record.fields : undefined;
    const spanId = l.record.kind === 'span' ? l.record.spanId : typeof f?.spanId === 'string' ? f.spanId : null;
    return { atMs: l.timestamp - t0, function: l.function, level: l.level, message: l.message, requestId: l.requestId ?? null, spanId };
  });
  for (const l of lines) end = Math.max(end, l.atMs);
  return { type: 'waterfall', id: c.target.id, traceIds: c.traceIds, t0Ms: t0, totalMs: end, spans: out, lines };
}
