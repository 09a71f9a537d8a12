// What a rule can do, in words: for `faultline chaos set --dry-run` and
// `chaos list`. Pure.
import { formatDuration } from '../duration.js';
import { GLOBAL_SCOPE, type ErrorSpec, type Fault, type Rule, type Target } from '../ruleTypes.js';
import { formatStickyKey } from './validate.js';

function functionsLine(rule: Rule, known: readonly string[] | undefined): string {
  if (rule.scope === GLOBAL_SCOPE) {
    return known !== undefined && known.length > 0
      ? `functions: every function (scope *), e.g. ${known.join(', ')}`
      : 'functions: every function (scope *)';
  }
  if (known !== undefined && known.length > 0 && !known.includes(rule.scope)) {
    return `functions: ${rule.scope} only; note: ${rule.scope} is not among the known functions (${known.join(', ')}), so nothing may match`;
  }
  return `functions: ${rule.scope} only`;
}

function callsLine(t: Target): string {
  switch (t.kind) {
    case 'aws':
      if (t.service === '*') return 'calls: every AWS SDK call (aws:*)';
      return t.operation === undefined
        ? `calls: every AWS SDK call to ${t.service} (aws:${t.service})`
        : `calls: AWS SDK ${t.service} ${t.operation} calls (aws:${t.service}:${t.operation})`;
    case 'http':
      return `calls: HTTP(S) calls to host ${t.host}${t.path === undefined ? ', any path' : ` with path ${t.path}`}` +
        ' (http/https and fetch; AWS SDK calls to a matching host too)';
    case 'invocation':
      return 'calls: the invocation itself (before the handler runs)';
    case 'any':
      return 'calls: every outgoing AWS SDK and HTTP(S) call (not the invocation itself)';
  }
}

function errorLine(e: ErrorSpec, target: Target): string {
  if (target.kind === 'invocation') {
    const what = e.kind === 'http' ? `an error carrying status ${e.status}` : e.code;
    return `fault: the invocation fails with ${what}, instead of running the handler`;
  }
  switch (e.kind) {
    case 'aws':
      return `fault: error ${e.code} as the service sends it on the wire; the SDK raises ${e.code} and retries as in a real outage`;
    case 'http':
      return `fault: the call gets an HTTP ${e.status} response`;
    case 'network':
      return `fault: the connection fails with ${e.code}`;
  }
}

function faultLine(f: Fault, target: Target): string {
  switch (f.type) {
    case 'error':
      return errorLine(f.error, target);
    case 'latency':
      return f.jitterMs > 0
        ? `fault: ${f.latencyMs} ms (± up to ${f.jitterMs} ms) added before ${target.kind === 'invocation' ? 'the handler runs' : 'the call goes out'}`
        : `fault: ${f.latencyMs} ms added before ${target.kind === 'invocation' ? 'the handler runs' : 'the call goes out'}`;
    case 'timeout':
      return `fault: the call hangs until the client's own timeout or the function's remaining time${f.timeoutMs === undefined ? '' : ` or ${f.timeoutMs} ms`}, whichever is first, then fails as a socket timeout`;
    case 'corrupt':
      return `fault: the real response body is corrupted (${f.corruption})`;
    case 'respond':
      return `fault: the response is replaced by a recorded one (status ${f.status}, ${Object.keys(f.headers).length} header(s), ${f.body.length}-character body)`;
  }
}

function chanceLine(rule: Rule): string {
  const pct = `${Math.round(rule.rate * 1000) / 10}%`;
  if (rule.sticky !== undefined) {
    return `chance: ${pct} of ${formatStickyKey(rule.sticky)} values, always the same ones, in every function; calls without a value are spared`;
  }
  return rule.rate === 1 ? 'chance: every matching call' : `chance: ${pct} of matching calls`;
}

/**
 * Human lines saying which functions and which calls the rule can hit, what
 * happens to them, how often, and until when. `nowMs` only adds the time left.
 */
export function describeReach(rule: Rule, knownFunctions?: readonly string[], nowMs?: number): string[] {
  const lines = [functionsLine(rule, knownFunctions), callsLine(rule.target), faultLine(rule.fault, rule.target), chanceLine(rule)];
  const s = rule.schedule;
  if (s?.kind === 'flap') lines.push(`schedule: on for ${formatDuration(s.onSeconds * 1000)}, then off for ${formatDuration(s.offSeconds * 1000)}, repeating`);
  if (s?.kind === 'firstN') lines.push(`schedule: only the first ${s.count} hit(s) in each execution environment`);
  if (rule.expiresAt === undefined) lines.push('expires: never; stays until cleared');
  else {
    const at = new Date(rule.expiresAt * 1000).toISOString();
    const left = nowMs === undefined ? '' : rule.expiresAt * 1000 > nowMs ? ` (in ${formatDuration(rule.expiresAt * 1000 - nowMs)})` : ' (already expired)';
    lines.push(`expires: ${at}${left}`);
  }
  if (!rule.enabled) lines.push('disabled: enabled=false keeps the rule but it hits nothing');
  return lines;
}
