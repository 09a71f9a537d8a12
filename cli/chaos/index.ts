// The chaos commands' building blocks for callers other than commander (the
// local game day, issue 5): rules, the kill switch, guardrails and scenarios
// against a rule table, with injectable clock and telemetry.
export { createTableContext, explainAwsError, withTable, type TableContext } from './tableContext.js';
export { initTable, scanItems, queryScope, type ItemKey, type PlainItem } from './ruleTable.js';
export {
  setRule,
  planRule,
  validateRuleSpec,
  clearRules,
  parseRuleRef,
  readChaosState,
  setKillSwitch,
  readGuard,
  setGuard,
  applyGuardChanges,
  clearGuard,
  type SetRuleOptions,
  type SetRuleResult,
  type ClearSelection,
  type ClearResult,
  type ChaosState,
  type GuardChanges,
} from './operations.js';
export { buildRuleItem, type RuleSpec } from './ruleSpec.js';
export { ruleStatus, type RuleStatus, type RuleState } from './ruleStatus.js';
export { parseScenario, scenarioFromDocument, measuredFunctions, ScenarioError, type Scenario, type ScenarioStep } from './scenario.js';
export {
  runScenario,
  runScenarioToEnd,
  systemClock,
  abortReason,
  isHealthy,
  type Clock,
  type ScenarioDeps,
  type ScenarioEvent,
  type ScenarioResult,
  type ScenarioRuleStore,
  type StepReport,
  type RecoveryReport,
} from './runScenario.js';
export { tableRuleStore } from './tableRuleStore.js';
export { LogDirTelemetrySource, parseOutcome } from './logDirTelemetry.js';
export { summarise, percentile, type TelemetrySample, type TelemetrySource } from './telemetrySource.js';
export { resolveCreatedBy } from './callerIdentity.js';
export { formatSample } from './format.js';
