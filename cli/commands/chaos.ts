// `faultline chaos …`: the rule table from the command line (README "The CLI").
// Each action parses flags, calls cli/chaos/operations.ts, and prints; all the
// rule semantics live in src/chaos so the CLI and the agent agree.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  action,
  addCommonOptions,
  OperationError,
  painter,
  printJson,
  UsageError,
  useColor,
  type CommonOptions,
} from '../common.js';
import { resolveCreatedBy } from '../chaos/callerIdentity.js';
import { formatGuard, formatRuleSummary, formatRuleTable, formatSample } from '../chaos/format.js';
import { LogDirTelemetrySource } from '../chaos/logDirTelemetry.js';
import type { ClearSelection, GuardChanges } from '../chaos/operations.js';
import { ruleStatus } from '../chaos/ruleStatus.js';
import { DEFAULT_RULE_FOR, type RuleSpec } from '../chaos/ruleSpec.js';
import type { Rule } from '../../src/chaos/ruleTypes.js';
import { runScenario, type RecoveryReport, type ScenarioEvent } from '../chaos/runScenario.js';
import type { TelemetrySample, TelemetrySource } from '../chaos/telemetrySource.js';
import { measuredFunctions, parseScenario, ScenarioError } from '../chaos/scenario.js';
import type { TableContext } from '../chaos/tableContext.js';
import { SkippedLineReport } from '../logs/skippedLines.js';

// The AWS SDK costs ~100 ms to load: only the chaos actions that talk to the
// table pay for it, not every other faultline command.
const tableAccess = async () => ({
  ...(await import('../chaos/tableContext.js')),
  ...(await import('../chaos/ruleTable.js')),
  ...(await import('../chaos/operations.js')),
  ...(await import('../chaos/tableRuleStore.js')),
});

const say = (line = '') => process.stdout.write(line + '\n');
const warn = (line: string) => process.stderr.write(`faultline: ${line}\n`);

/** Opens the table context, runs `fn` with AWS errors made readable, and releases the client. */
async function onTable<T>(opts: CommonOptions, fn: (ctx: TableContext) => Promise<T>): Promise<T> {
  const { createTableContext, withTable } = await tableAccess();
  const ctx = createTableContext(opts);
  try {
    return await withTable(ctx, fn);
  } finally {
    ctx.client.destroy();
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

function example(cmd: Command, text: string): Command {
  return cmd.addHelpText('after', `\nExample:\n${text}\n`);
}

// ---- init -----------------------------------------------------------------

function registerInit(chaos: Command): void {
  const cmd = chaos
    .command('init')
    .description('create the rule table (on-demand billing, TTL on expiresAt)')
    .action(
      action(async (opts: CommonOptions) => {
        const outcome = await onTable(opts, async (ctx) => ({ ...(await (await tableAccess()).initTable(ctx)), table: ctx.table, region: ctx.region }));
        if (opts.json) return printJson(outcome);
        const p = painter(useColor(opts));
        say(outcome.created ? p.green(`created table ${outcome.table}`) : `table ${outcome.table} already exists`);
        if (outcome.ttl === 'unsupported') {
          say(
            p.yellow(
              `notice: this DynamoDB endpoint does not support TTL (${outcome.ttlMessage}); ` +
                'expired rules are still ignored by the agent but are not deleted automatically',
            ),
          );
        } else say(`TTL on expiresAt: ${outcome.ttl === 'enabled' ? 'enabled' : 'already enabled'}`);
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  example(cmd, '  $ faultline chaos init --table faultline-rules --region eu-west-1');
}

// ---- set ------------------------------------------------------------------

interface SetFlags extends CommonOptions, Omit<RuleSpec, 'scope' | 'header'> {
  header?: string[];
  confirmNoExpiry?: boolean;
  replace?: boolean;
  dryRun?: boolean;
}

function registerSet(chaos: Command): void {
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
      action(async (scope: string, opts: SetFlags) => {
        const spec: RuleSpec = {
          scope,
          ...pick(opts, ['target', 'fault', 'error', 'latency', 'jitter', 'timeout', 'corruption', 'rate', 'for', 'id', 'note', 'status', 'body', 'sticky', 'flap', 'first']),
          ...(opts.header ? { header: opts.header } : {}),
        };
        const p = painter(useColor(opts));
        const nowMs = Date.now();
        if (opts.confirmNoExpiry && opts.for?.trim().toLowerCase() !== 'never') {
          throw new UsageError('--confirm-no-expiry goes with --for never only');
        }
        const allowNever = Boolean(opts.confirmNoExpiry);
        const noteCanonicalTarget = (rule: Rule) => {
          if (opts.target !== undefined && opts.target.trim() !== rule.targetText) {
            say(`  target ${opts.target.trim()} is ${rule.targetText}, the name its calls carry on the wire`);
          }
        };
        if (opts.dryRun) {
          // No table access at all: a dry run works offline and without credentials.
          const result = (await tableAccess()).planRule(spec, { nowMs, allowNever });
          if (opts.json) return printJson({ dryRun: true, item: result.item, reach: result.reach });
          say(`dry run, nothing written: rule ${result.rule.scope}/${result.rule.id}: ${confirmation(result.rule, nowMs)}`);
          noteCanonicalTarget(result.rule);
          for (const line of result.reach) say(`  ${line}`);
          return;
        }
        const result = await onTable(opts, async (ctx) => (await tableAccess()).setRule(ctx, spec, { replace: Boolean(opts.replace), nowMs, allowNever }));
        if (result.rule.expiresAt === undefined) {
          warn(`WARNING: rule ${result.rule.scope}/${result.rule.id} NEVER expires: it faults calls until faultline chaos clear ${result.rule.scope}/${result.rule.id}`);
        }
        if (opts.json) return printJson(result.item);
        say(p.green(`set rule ${result.rule.scope}/${result.rule.id}`) + `: ${confirmation(result.rule, nowMs)}`);
        noteCanonicalTarget(result.rule);
        for (const line of result.reach) say(`  ${line}`);
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  example(
    cmd,
    [
      '  $ faultline chaos set orders-api --target aws:dynamodb:GetItem --fault error \\',
      '      --error ProvisionedThroughputExceededException --rate 0.3 --for 15m --note "game day #4"',
      '  $ faultline chaos set "*" --target http:payments.example.com/v1/* --fault latency --latency 800 --jitter 200 --dry-run',
      '  $ faultline chaos set checkout --target http:api.stripe.com --fault respond --status 503 --body @fixtures/busy.json --sticky header:x-user-id',
      '',
      `Every rule expires: after --for, else after ${DEFAULT_RULE_FOR}; at most 12h (as AWS FIS caps an experiment).`,
      'A rule that never expires takes --for never --confirm-no-expiry, and is announced on stderr.',
      'Services go by their SDK client id or common name (cloudwatch, sfn, eventbridge, cloudwatch-logs) or by',
      'their signing name (monitoring, states, events, logs); the rule is stored under the signing name, the one',
      'the call carries on the wire. A service no SDK client has is refused (exit 2) with the closest names.',
    ].join('\n'),
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

// ---- list -----------------------------------------------------------------

function registerList(chaos: Command): void {
  const cmd = chaos
    .command('list')
    .description('show the rules with time left and whether each is live, the kill switch and the guardrails')
    .option('--scope <scope>', 'only the rules of this function (or "*")')
    .action(
      action(async (opts: CommonOptions & { scope?: string }) => {
        const state = await onTable(opts, async (ctx) => (await tableAccess()).readChaosState(ctx, opts.scope));
        const nowMs = Date.now();
        const rows = [...state.set.rules]
          .sort((a, b) => a.scope.localeCompare(b.scope) || a.id.localeCompare(b.id))
          .map((rule) => ({ rule, status: ruleStatus(rule, state.set, nowMs) }));
        if (opts.json) {
          const byKey = new Map(state.items.map((i) => [`${String(i.scope)}/${String(i.id)}`, i]));
          return printJson({
            killSwitch: state.set.killSwitch,
            guard: state.set.guard,
            guardSet: state.guardItem !== undefined,
            rules: rows.map(({ rule, status }) => ({
              ...byKey.get(`${rule.scope}/${rule.id}`),
              live: status.state === 'live',
              state: status.state,
              detail: status.detail ?? null,
              timeLeftMs: status.timeLeftMs ?? null,
              effectiveRate: status.effectiveRate,
            })),
            problems: state.set.problems,
          });
        }
        const p = painter(useColor(opts));
        say(
          state.set.killSwitch
            ? p.red('kill switch: ON — no faults anywhere (faultline chaos on to resume)')
            : 'kill switch: off (faults allowed)',
        );
        for (const line of formatGuard(state.set.guard, state.guardItem !== undefined)) say(line);
        say();
        if (rows.length === 0) say(opts.scope ? `no rules in scope ${opts.scope}` : 'no rules');
        else for (const line of formatRuleTable(rows, p)) say(line);
        for (const problem of state.set.problems) say(p.yellow(`malformed item (ignored by the agent): ${problem}`));
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  example(cmd, '  $ faultline chaos list\n  $ faultline chaos list --scope orders-api --json');
}

// ---- clear ----------------------------------------------------------------

function registerClear(chaos: Command): void {
  const cmd = chaos
    .command('clear')
    .description('delete rules by id (scope/id or id), by scope, or all of them')
    .argument('[ids...]', 'rule ids: scope/id, or a plain id looked up in every scope')
    .option('--scope <scope>', 'every rule of this function (or "*")')
    .option('--all', 'every rule (the kill switch and guardrails stay)')
    .action(
      action(async (ids: string[], opts: CommonOptions & { scope?: string; all?: boolean }) => {
        const chosen = [ids.length > 0, opts.scope !== undefined, Boolean(opts.all)].filter(Boolean).length;
        if (chosen !== 1) {
          throw new UsageError(
            chosen === 0
              ? 'nothing to clear: give rule ids, --scope FUNCTION or --all'
              : 'give either rule ids, --scope or --all, not several',
          );
        }
        const selection: ClearSelection =
          ids.length > 0 ? { kind: 'ids', ids } : opts.scope !== undefined ? { kind: 'scope', scope: opts.scope } : { kind: 'all' };
        const result = await onTable(opts, async (ctx) => (await tableAccess()).clearRules(ctx, selection));
        if (opts.json) printJson(result);
        else {
          const p = painter(useColor(opts));
          if (result.deleted.length === 0) say('no rules cleared');
          for (const k of result.deleted) say(p.green(`cleared ${k.scope}/${k.id}`));
        }
        if (result.notFound.length > 0) {
          throw new OperationError(`rule not found: ${result.notFound.join(', ')} (faultline chaos list shows the ids)`);
        }
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  example(cmd, '  $ faultline chaos clear orders-api/ddb-throttle-3f9a\n  $ faultline chaos clear --scope orders-api\n  $ faultline chaos clear --all');
}

// ---- off / on -------------------------------------------------------------

function registerSwitch(chaos: Command): void {
  const off = chaos
    .command('off')
    .description('kill switch: stop every fault everywhere, keeping the rules')
    .option('--note <text>', 'why, for the audit trail')
    .action(
      action(async (opts: CommonOptions & { note?: string }) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setKillSwitch(ctx, false, opts.note ? { note: opts.note } : {}));
        if (opts.json) return printJson({ killSwitch: true, changed: r.changed });
        say(painter(useColor(opts)).red('kill switch ON: no faults anywhere until faultline chaos on') + (r.changed ? '' : ' (it already was)'));
      }),
    );
  addCommonOptions(off, { withTable: true });
  example(off, '  $ faultline chaos off --note "customer impact, stopping the game day"');

  const on = chaos
    .command('on')
    .description('lift the kill switch: rules take effect again')
    .action(
      action(async (opts: CommonOptions) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setKillSwitch(ctx, true));
        if (opts.json) return printJson({ killSwitch: false, changed: r.changed });
        say(r.changed ? 'kill switch lifted: rules take effect again' : 'kill switch was not on: nothing changed');
      }),
    );
  addCommonOptions(on, { withTable: true });
  example(on, '  $ faultline chaos on');
}

// ---- guard ----------------------------------------------------------------

interface GuardFlags extends CommonOptions {
  maxRate?: string | false;
  allow?: string | false;
  productionLock?: boolean;
  productionEnvs?: string;
  abortErrorRate?: string;
  abort?: boolean;
  abortWindow?: string;
  abortMin?: string;
}

function registerGuard(chaos: Command): void {
  const guard = chaos.command('guard').description('guardrails: rate cap, allowed functions, production lock, automatic abort');
  example(guard, '  $ faultline chaos guard show\n  $ faultline chaos guard set --max-rate 0.5 --allow orders-api,payments --production-lock');

  const show = guard
    .command('show')
    .description('show the guardrails')
    .action(
      action(async (opts: CommonOptions) => {
        const g = await onTable(opts, async (ctx) => (await tableAccess()).readGuard(ctx));
        if (opts.json) return printJson({ guard: g.guard, guardSet: g.item !== undefined, problems: g.problems });
        for (const line of formatGuard(g.guard, g.item !== undefined)) say(line);
        for (const problem of g.problems) say(painter(useColor(opts)).yellow(`malformed #guard item: ${problem}`));
      }),
    );
  addCommonOptions(show, { withTable: true });
  example(show, '  $ faultline chaos guard show --json');

  const set = guard
    .command('set')
    .description('change the guardrails (other settings are kept)')
    .option('--max-rate <p>', 'cap every rule\'s rate to this (0..1)')
    .option('--no-max-rate', 'remove the rate cap')
    .option('--allow <functions>', 'only these functions may be faulted (comma-separated)')
    .option('--no-allow', 'every function may be faulted')
    .option('--production-lock', 'no faults where the environment is production')
    .option('--no-production-lock', 'allow faults in production environments')
    .option('--production-envs <names>', 'environment names counted as production (comma-separated)')
    .option('--abort-error-rate <p>', 'stop injecting when this share of invocations fails')
    .option('--no-abort', 'remove the automatic abort')
    .option('--abort-window <duration>', 'over this window, e.g. 60s')
    .option('--abort-min <n>', 'and at least this many invocations')
    .action(
      action(async (opts: GuardFlags) => {
        const changes: GuardChanges = {
          ...(opts.maxRate === false ? { maxRate: null } : opts.maxRate !== undefined ? { maxRate: opts.maxRate } : {}),
          ...(opts.allow === false ? { allow: null } : opts.allow !== undefined ? { allow: list(opts.allow) } : {}),
          ...(opts.productionLock !== undefined ? { productionLock: opts.productionLock } : {}),
          ...(opts.productionEnvs !== undefined ? { productionEnvs: list(opts.productionEnvs) } : {}),
          ...(opts.abort === false ? { abortErrorRate: null } : {}),
          ...(opts.abortErrorRate !== undefined ? { abortErrorRate: opts.abortErrorRate } : {}),
          ...(opts.abortWindow !== undefined ? { abortWindow: opts.abortWindow } : {}),
          ...(opts.abortMin !== undefined ? { abortMin: opts.abortMin } : {}),
        };
        if (Object.keys(changes).length === 0) {
          throw new UsageError('nothing to change: give --max-rate, --allow, --production-lock, --production-envs or --abort-error-rate');
        }
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setGuard(ctx, changes));
        if (opts.json) return printJson({ guard: r.guard, item: r.item });
        for (const line of formatGuard(r.guard, true)) say(line);
      }),
    );
  addCommonOptions(set, { withTable: true });
  example(
    set,
    '  $ faultline chaos guard set --max-rate 0.5 --allow orders-api,payments\n' +
      '  $ faultline chaos guard set --abort-error-rate 0.3 --abort-window 60s --abort-min 20\n' +
      '  $ faultline chaos guard set --no-max-rate --no-allow',
  );

  const clear = guard
    .command('clear')
    .description('remove the guardrails (defaults apply)')
    .action(
      action(async (opts: CommonOptions) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).clearGuard(ctx));
        if (opts.json) return printJson({ cleared: r.changed });
        say(r.changed ? 'guardrails removed: defaults apply' : 'no guardrails were set');
      }),
    );
  addCommonOptions(clear, { withTable: true });
  example(clear, '  $ faultline chaos guard clear');
}

// ---- run ------------------------------------------------------------------

function registerRun(chaos: Command): void {
  const cmd = chaos
    .command('run')
    .description('run a game-day scenario: timed steps of rules, abort conditions, recovery time')
    .argument('<scenario>', 'scenario file, YAML or JSON')
    .option('--source <cloudwatch|dir>', 'where to read the functions\' telemetry: cloudwatch (Logs Insights) or a log directory such as .faultline/logs', 'cloudwatch')
    .option('--ingestion-delay <duration>', 'with cloudwatch: query a window only once it is this old (log lines reach Insights late)', '10s')
    .option('--dry-run', 'check the scenario and print the plan; write nothing')
    .action(
      action(async (file: string, opts: CommonOptions & { source?: string; ingestionDelay?: string; dryRun?: boolean }) => {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          throw new UsageError(`${file}: cannot read the scenario file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
        let scenario;
        try {
          scenario = parseScenario(text);
        } catch (err) {
          if (err instanceof ScenarioError) throw new UsageError(`${file}: ${err.message}`);
          throw err;
        }
        const p = painter(useColor(opts));
        if (opts.dryRun) {
          if (opts.json) return printJson({ dryRun: true, scenario });
          say(`scenario "${scenario.name}" is valid: ${scenario.steps.length} steps, measuring ${measuredFunctions(scenario)?.join(', ') ?? 'every function'}`);
          for (const step of scenario.steps) {
            say(`  ${step.name}: set ${step.set.length} rule(s), hold ${step.holdMs / 1000}s, clear ${step.clear === undefined ? 'nothing' : step.clear === 'all' ? 'all' : step.clear.join(', ')}`);
          }
          return;
        }
        const source: TelemetrySource =
          !opts.source || opts.source === 'cloudwatch'
            ? await (await import('../chaos/cloudWatchTelemetry.js')).openCloudWatchTelemetry(scenario, opts)
            : new LogDirTelemetrySource(opts.source, { onSkippedLine: new SkippedLineReport(Boolean(opts.json)).onSkippedLine });
        const stop = new AbortController();
        const onSigint = () => stop.abort();
        process.once('SIGINT', onSigint);
        let aborted: string | undefined;
        let recovery: RecoveryReport | undefined;
        try {
          await onTable(opts, async (ctx) => {
            const createdBy = await resolveCreatedBy({ region: ctx.region, profile: ctx.profile });
            const run = runScenario(scenario, { source, rules: (await tableAccess()).tableRuleStore(ctx, { createdBy }), signal: stop.signal });
            for await (const event of run) {
              if (opts.json) printJson(event);
              else printEvent(event, scenario.name, p);
              if (event.type === 'done') {
                aborted = event.result.aborted?.reason;
                recovery = event.result.recovery;
              }
            }
          });
        } finally {
          process.removeListener('SIGINT', onSigint);
          await source.close?.();
        }
        if (aborted) throw new OperationError(`scenario "${scenario.name}" aborted: ${aborted}`);
        if (recovery && !recovery.recovered) throw new OperationError(`scenario "${scenario.name}": ${notRecoveredReason(recovery.sample)}`);
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  example(
    cmd,
    [
      '  $ faultline chaos run gameday/ddb-throttle.yaml --region eu-west-1      # CloudWatch Logs Insights',
      '  $ faultline chaos run gameday/ddb-throttle.yaml --source .faultline/logs',
      '',
      'Scenario file:',
      '  name: orders under DynamoDB throttling',
      '  functions: [orders-api]          # measured; default: the rules\' scopes',
      '  baseline: 30s                     # window before the run used as baseline',
      '  sampleEvery: 5s',
      '  abort: { errorRate: 0.5, p99LatencyMs: 3000 }',
      '  recovery: { timeout: 5m }',
      '  steps:',
      '    - name: throttle reads',
      '      set:',
      '        - { scope: orders-api, id: throttle, target: "aws:dynamodb:GetItem", fault: error,',
      '            error: ProvisionedThroughputExceededException, rate: 0.5 }',
      '      hold: 2m',
      '      clear: all                    # or [throttle]',
      '',
      'Rules without `for` expire shortly after the scenario would end, so a crashed run leaves nothing behind.',
      'Exit status 1 when the run aborts or the functions do not recover in time.',
    ].join('\n'),
  );
}

function notRecoveredReason(last: TelemetrySample | undefined): string {
  return last === undefined
    ? 'no invocations in the logs after the last fault was cleared (is traffic running, and is --source the right place?)'
    : `still away from baseline when the recovery timeout ended (last: ${formatSample(last)})`;
}

function printEvent(e: ScenarioEvent, name: string, p: ReturnType<typeof painter>): void {
  switch (e.type) {
    case 'baseline':
      say(p.bold(`scenario "${name}"`));
      say(`baseline: ${formatSample(e.sample)}`);
      if (e.sample.invocations === 0) say(p.yellow('  no baseline traffic: recovery is judged by the error rate alone'));
      return;
    case 'step-start':
      say(p.bold(`step ${e.index + 1} "${e.step}"`) + (e.rules.length ? `: set ${e.rules.map((k) => `${k.scope}/${k.id}`).join(', ')}` : ''));
      return;
    case 'sample':
      say(p.dim(`  ${new Date(e.atMs).toISOString().slice(11, 19)} ${formatSample(e.sample)}`));
      return;
    case 'abort':
      say(p.red(`  ABORT in "${e.step}": ${e.reason}`));
      return;
    case 'cleared':
      say(`  cleared ${e.rules.map((k) => `${k.scope}/${k.id}`).join(', ')}`);
      return;
    case 'step-end':
      say(`  step "${e.report.name}": ${formatSample(e.report.sample)}`);
      return;
    case 'recovery-sample':
      say(p.dim(`  recovery ${e.healthy ? 'healthy' : 'not yet'}: ${formatSample(e.sample)}`));
      return;
    case 'done': {
      const r = e.result.recovery;
      say(
        r.recovered
          ? p.green(`recovered: back to baseline ${((r.recoveryMs ?? 0) / 1000).toFixed(1)}s after the last fault was cleared`)
          : p.red(`not recovered: ${notRecoveredReason(r.sample)}`),
      );
      return;
    }
  }
}

// ---- registration -----------------------------------------------------------

/** program.ts sets exitOverride on top-level commands only; nested ones need it too (exit 2, not process.exit). */
function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
}

export function registerChaos(program: Command): void {
  const chaos = program
    .command('chaos')
    .description('chaos rules for game days: set, list and clear faults, the kill switch, guardrails, scenarios');
  example(chaos, '  $ faultline chaos init --table faultline-rules\n  $ faultline chaos set orders-api --target aws:dynamodb --fault latency --latency 500 --for 15m\n  $ faultline chaos list');
  registerInit(chaos);
  registerSet(chaos);
  registerList(chaos);
  registerClear(chaos);
  registerSwitch(chaos);
  registerGuard(chaos);
  registerRun(chaos);
  overrideExits(chaos);
}
