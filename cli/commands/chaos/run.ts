// `faultline chaos run`: a game-day scenario.
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { action, addCommonOptions, OperationError, painter, printJson, UsageError, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import { formatSample } from '../../chaos/format.js';
import type { RecoveryReport, ScenarioEvent } from '../../chaos/runScenario.js';
import type { TelemetrySample, TelemetrySource } from '../../chaos/telemetrySource.js';
import { onTable, tableAccess } from './shared.js';

export function registerRun(chaos: Command, io: CliRun): void {
  const cmd = chaos
    .command('run')
    .description('run a game-day scenario: timed steps of rules, abort conditions, recovery time')
    .argument('<scenario>', 'scenario file, YAML or JSON')
    .option('--source <cloudwatch|dir>', 'where to read the functions\' telemetry: cloudwatch (Logs Insights) or a log directory such as .faultline/logs', 'cloudwatch')
    .option('--ingestion-delay <duration>', 'with cloudwatch: query a window only once it is this old (log lines reach Insights late)', '10s')
    .option('--dry-run', 'check the scenario and print the plan; write nothing')
    .option('--report <file>', 'afterwards, write the game-day report (one self-contained HTML page) of the run here, each rule drawn as set and cleared')
    .action(
      action(io, async (file: string, opts: CommonOptions & { source?: string; ingestionDelay?: string; dryRun?: boolean; report?: string }) => {
        const { SkippedLineReport } = await import('../../logs/skippedLines.js');
        const { resolveCreatedBy } = await import('../../chaos/callerIdentity.js');
        const { LogDirTelemetrySource } = await import('../../chaos/logDirTelemetry.js');
        const { runScenario } = await import('../../chaos/runScenario.js');
        const { measuredFunctions, parseScenario, ScenarioError } = await import('../../chaos/scenario.js');
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
        const p = painter(useColor(opts, io));
        if (opts.dryRun) {
          if (opts.json) return printJson(io, { type: 'scenario-plan', dryRun: true, scenario });
          say(io, `scenario "${scenario.name}" is valid: ${scenario.steps.length} steps, measuring ${measuredFunctions(scenario)?.join(', ') ?? 'every function'}`);
          for (const step of scenario.steps) {
            say(io, `  ${step.name}: set ${step.set.length} rule(s), hold ${step.holdMs / 1000}s, clear ${step.clear === undefined ? 'nothing' : step.clear === 'all' ? 'all' : step.clear.join(', ')}`);
          }
          return;
        }
        const source: TelemetrySource =
          !opts.source || opts.source === 'cloudwatch'
            ? await (await import('../../chaos/cloudWatchTelemetry.js')).openCloudWatchTelemetry(scenario, opts)
            : new LogDirTelemetrySource(opts.source, { onSkippedLine: new SkippedLineReport(Boolean(opts.json)).onSkippedLine });
        const stop = new AbortController();
        const onSigint = () => stop.abort();
        process.once('SIGINT', onSigint);
        let aborted: string | undefined;
        let recovery: RecoveryReport | undefined;
        // Each rule's window as the run set and cleared it: the report's bands.
        const windows: { ruleId: string; setAtMs: number; clearedAtMs: number | undefined }[] = [];
        let startedAtMs = Date.now() - scenario.baselineMs;
        let endedAtMs = Date.now();
        try {
          await onTable(opts, async (ctx) => {
            const createdBy = await resolveCreatedBy({ region: ctx.region, profile: ctx.profile, credentials: ctx.credentials });
            const run = runScenario(scenario, { source, rules: (await tableAccess()).tableRuleStore(ctx, { createdBy }), signal: stop.signal });
            for await (const event of run) {
              if (opts.json) printJson(io, event);
              else printEvent(io, event, scenario.name, p);
              if (event.type === 'baseline') startedAtMs = event.atMs - scenario.baselineMs;
              if (event.type === 'step-start') for (const k of event.rules) windows.push({ ruleId: `${k.scope}/${k.id}`, setAtMs: event.atMs, clearedAtMs: undefined });
              if (event.type === 'cleared') {
                for (const k of event.rules) {
                  const w = windows.find((x) => x.ruleId === `${k.scope}/${k.id}` && x.clearedAtMs === undefined);
                  if (w) w.clearedAtMs = event.atMs;
                }
              }
              endedAtMs = event.atMs;
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
        if (opts.report) {
          const { openLogs } = await import('../../logs/openSource.js');
          const { writeGameDayReport } = await import('../../report/write.js');
          const fns = measuredFunctions(scenario);
          try {
          const opened = await openLogs({ ...opts, source: opts.source ?? 'cloudwatch', ...(fns ? { functions: fns.join(',') } : {}) }, { allowStack: false });
          const written = await writeGameDayReport(opts.report, {
            source: opened.source,
            functions: opened.functions,
            range: { startMs: startedAtMs, endMs: Math.max(endedAtMs, Date.now()) + 1000 },
            title: scenario.name,
            rules: windows,
            waterfalls: 3,
          });
          if (opts.json) printJson(io, { type: 'report-written', path: written.path, waterfallPaths: written.waterfalls });
          else say(io, `report: ${written.path}`);
          } catch (err) {
            // The run's verdict stands: a report that cannot be written costs a warning.
            io.stderr.write(`faultline chaos run: warning: no report written (${err instanceof Error ? err.message : String(err)})\n`);
          }
        }
        if (aborted) throw new OperationError(`scenario "${scenario.name}" aborted: ${aborted}`);
        if (recovery && !recovery.recovered) throw new OperationError(`scenario "${scenario.name}": ${notRecoveredReason(recovery.sample)}`);
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  examples(
    cmd,
    [
      'faultline chaos run gameday/ddb-throttle.yaml --region eu-west-1      # CloudWatch Logs Insights',
      'faultline chaos run gameday/ddb-throttle.yaml --source .faultline/logs',
      'faultline chaos run gameday/ddb-throttle.yaml --source .faultline/logs --report gameday.html',
    ],
    [
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
    ],
  );
}

function notRecoveredReason(last: TelemetrySample | undefined): string {
  return last === undefined
    ? 'no invocations in the logs after the last fault was cleared (is traffic running, and is --source the right place?)'
    : `still away from baseline when the recovery timeout ended (last: ${formatSample(last)})`;
}

function printEvent(io: CliRun, e: ScenarioEvent, name: string, p: ReturnType<typeof painter>): void {
  switch (e.type) {
    case 'baseline':
      say(io, p.bold(`scenario "${name}"`));
      say(io, `baseline: ${formatSample(e.sample)}`);
      if (e.sample.invocations === 0) say(io, p.yellow('  no baseline traffic: recovery is judged by the error rate alone'));
      return;
    case 'step-start':
      say(io, p.bold(`step ${e.index + 1} "${e.step}"`) + (e.rules.length ? `: set ${e.rules.map((k) => `${k.scope}/${k.id}`).join(', ')}` : ''));
      return;
    case 'sample':
      say(io, p.dim(`  ${new Date(e.atMs).toISOString().slice(11, 19)} ${formatSample(e.sample)}`));
      return;
    case 'abort':
      say(io, p.red(`  ABORT in "${e.step}": ${e.reason}`));
      return;
    case 'cleared':
      say(io, `  cleared ${e.rules.map((k) => `${k.scope}/${k.id}`).join(', ')}`);
      return;
    case 'step-end':
      say(io, `  step "${e.report.name}": ${formatSample(e.report.sample)}`);
      return;
    case 'recovery-sample':
      say(io, p.dim(`  recovery ${e.healthy ? 'healthy' : 'not yet'}: ${formatSample(e.sample)}`));
      return;
    case 'done': {
      const r = e.result.recovery;
      say(io, 
        r.recovered
          ? p.green(`recovered: back to baseline ${((r.recoveryMs ?? 0) / 1000).toFixed(1)}s after the last fault was cleared`)
          : p.red(`not recovered: ${notRecoveredReason(r.sample)}`),
      );
      return;
    }
  }
}
