// `faultline chaos set`: write one fault rule (or --dry-run it).
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, UsageError, useColor, type CommonOptions, say, warn, type CliRun, examples } from '../../common.js';
import { formatRuleSummary } from '../../chaos/format.js';
import { DEFAULT_RULE_FOR, type RuleSpec } from '../../chaos/ruleSpec.js';
import type { Rule } from '../../../src/chaos/ruleTypes.js';
import { collect, onTable, tableAccess} from './shared.js';

interface SetFlags extends CommonOptions, Omit<RuleSpec, 'scope' | 'header'> {
  header?: string[];
  confirmNoExpiry?: boolean;
  replace?: boolean;
  dryRun?: boolean;
}

export function registerSet(chaos: Command, io: CliRun): void {
  const cmd = chaos
    .command('set')
    .description('set a fault rule for a function (or "*" for every function)')
    .argument('<scope>', 'function name, or "*" for every function')
    .option('--target <target>', 'which calls: aws:<service>[:<Operation>], http:<host>[/<path>], invocation, or * (at most 1024 characters)')
    .option('--fault <fault>', 'error, latency, timeout, corrupt or respond')
    .option('--error <error>', 'for error: an AWS error code, an HTTP status or a network error (ECONNRESET)')
    .option('--latency <ms>', 'for latency: added delay in ms (or a duration such as 2s)')
    .option('--jitter <ms>', 'for latency: random extra delay up to this')
    .option('--timeout <ms>', 'for timeout: hang at most this long')
    .option('--corruption <kind>', 'for corrupt: truncate, garble, json or empty')
    .option('--rate <p>', 'probability in [0, 1] that a matching call is hit (default 1)')
    .option('--for <duration>', `expire after this long, e.g. 90s, 15m, 2h (default ${DEFAULT_RULE_FOR}, at most 12h; "never" needs --confirm-no-expiry)`)
    .option('--confirm-no-expiry', 'with --for never: yes, write a rule that stays until faultline chaos clear')
    .option('--id <id>', 'rule id (default: generated, e.g. ddb-throttle-3f9a)')
    .option('--note <text>', 'why this rule exists, for the audit trail')
    .option('--status <code>', 'for respond: the HTTP status to answer with')
    .option('--header <name=value>', 'for respond: a response header (repeatable)', collect)
    .option('--body <text|@file>', 'for respond: the response body, or @path to read it from a file')
    .option('--sticky <key>', 'hit the same users every time: header:<name>, event:<path> or baggage:<key>')
    .option('--flap <on/off>', 'alternate on and off, e.g. 30s/60s')
    .option('--first <n>', 'only the first N matching calls in each execution environment')
    .option('--replace', 'overwrite an existing rule with the same scope and id')
    .option('--dry-run', 'validate and show what the rule can hit; write nothing')
    .action(
      action(io, async (scope: string, opts: SetFlags) => {
        const spec: RuleSpec = {
          scope,
          ...pick(opts, ['target', 'fault', 'error', 'latency', 'jitter', 'timeout', 'corruption', 'rate', 'for', 'id', 'note', 'status', 'body', 'sticky', 'flap', 'first']),
          ...(opts.header ? { header: opts.header } : {}),
        };
        const p = painter(useColor(opts, io));
        const nowMs = Date.now();
        if (opts.confirmNoExpiry && opts.for?.trim().toLowerCase() !== 'never') {
          throw new UsageError('--confirm-no-expiry goes with --for never only');
        }
        const allowNever = Boolean(opts.confirmNoExpiry);
        const noteCanonicalTarget = (rule: Rule) => {
          if (opts.target !== undefined && opts.target.trim() !== rule.targetText) {
            say(io, `  target ${opts.target.trim()} is ${rule.targetText}, the name its calls carry on the wire`);
          }
        };
        // Validated before any AWS setting is resolved: a bad flag is a usage error (exit 2) with or without credentials.
        const plan = (await tableAccess()).planRule(spec, { nowMs, allowNever });
        if (opts.dryRun) {
          // No table access at all: a dry run works offline and without credentials.
          const result = plan;
          if (opts.json) return printJson(io, { type: 'rule-plan', dryRun: true, item: result.item, reach: result.reach });
          say(io, `dry run, nothing written: rule ${result.rule.scope}/${result.rule.id}: ${confirmation(result.rule, nowMs)}`);
          noteCanonicalTarget(result.rule);
          for (const line of result.reach) say(io, `  ${line}`);
          return;
        }
        const result = await onTable(opts, async (ctx) => (await tableAccess()).setRule(ctx, spec, { replace: Boolean(opts.replace), nowMs, allowNever }));
        if (result.rule.expiresAt === undefined) {
          warn(io, `WARNING: rule ${result.rule.scope}/${result.rule.id} NEVER expires: it faults calls until faultline chaos clear ${result.rule.scope}/${result.rule.id}`);
        }
        if (opts.json) return printJson(io, { type: 'rule', ...result.item });
        say(io, p.green(`set rule ${result.rule.scope}/${result.rule.id}`) + `: ${confirmation(result.rule, nowMs)}`);
        noteCanonicalTarget(result.rule);
        for (const line of result.reach) say(io, `  ${line}`);
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  examples(
    cmd,
    [
      'faultline chaos set orders-api --target aws:dynamodb:GetItem --fault error --error ProvisionedThroughputExceededException --rate 0.3 --for 15m --note "game day #4"',
      'faultline chaos set "*" --target "http:payments.example.com/v1/*" --fault latency --latency 800 --jitter 200 --dry-run',
      'faultline chaos set checkout --target http:api.stripe.com --fault respond --status 503 --body @fixtures/busy.json --sticky header:x-user-id',
    ],
    [
      `Every rule expires: after --for, else after ${DEFAULT_RULE_FOR}; at most 12h (as AWS FIS caps an experiment).`,
      'A rule that never expires takes --for never --confirm-no-expiry, and is announced on stderr.',
      'Services go by their SDK client id or common name (cloudwatch, sfn, eventbridge, cloudwatch-logs) or by',
      'their signing name (monitoring, states, events, logs); the rule is stored under the signing name, the one',
      'the call carries on the wire. A service no SDK client has is refused (exit 2) with the closest names.',
    ],
  );
}

/** The summary with the expiry's end (`…, expires in 1h, until 2026-12-03T17:30:00Z`), or `NEVER expires`. */
function confirmation(rule: Rule, nowMs: number): string {
  const summary = formatRuleSummary(rule, nowMs);
  if (rule.expiresAt === undefined) return summary.replace(/no expiry$/, 'NEVER expires');
  return `${summary}, until ${new Date(rule.expiresAt * 1000).toISOString().replace('.000Z', 'Z')}`;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
