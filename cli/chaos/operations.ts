// What the chaos commands do, without commander: set a rule, clear rules, the
// kill switch, the guardrails, and reading it all back. The local game day
// and the scenario runner call these directly.
import { parseDuration } from '../../src/chaos/duration.js';
import { compileRuleSet, describeReach } from '../../src/chaos/rules.js';
import { DEFAULT_GUARD, guardToItem, parseGuardItem } from '../../src/chaos/guard.js';
import { GLOBAL_SCOPE, GUARD_ID, SWITCH_ID, type Guardrails, type Rule, type RuleSet } from '../../src/chaos/ruleTypes.js';
import { OperationError, UsageError } from '../common.js';
import { resolveCreatedBy } from './callerIdentity.js';
import { validateRuleSpec, type BuildContext, type RuleSpec } from './ruleSpec.js';
import {
  deleteItem,
  isControlItem,
  ItemExistsError,
  putItem,
  queryScope,
  readControlItems,
  scanItems,
  type ItemKey,
  type PlainItem,
} from './ruleTable.js';
import type { TableContext } from './tableContext.js';

export { validateRuleSpec };

/** Asks STS with the table's own region and credentials. */
const identityOf = (ctx: TableContext) => ({ region: ctx.region, profile: ctx.profile, credentials: ctx.credentials });

export interface SetRuleOptions {
  /** Overwrite an existing rule with the same scope and id. */
  readonly replace?: boolean;
  /** Validate and describe only; nothing is written and STS is not asked. */
  readonly dryRun?: boolean;
  readonly nowMs?: number;
  /** Audit `createdBy`; resolved from STS / $USER when absent. */
  readonly createdBy?: string;
  /** Function names to mention in the reach description. */
  readonly knownFunctions?: readonly string[];
  readonly nameOf?: BuildContext['nameOf'];
  /** Accept `for: never` (`--confirm-no-expiry`). */
  readonly allowNever?: boolean;
}

export interface SetRuleResult {
  readonly item: PlainItem;
  readonly rule: Rule;
  /** Which functions and calls the rule can hit (describeReach). */
  readonly reach: readonly string[];
  readonly written: boolean;
}

/** `--dry-run`: the validated rule and what it can hit, without touching the table or STS. */
export function planRule(spec: RuleSpec, opts: SetRuleOptions = {}): SetRuleResult {
  const draft = validateRuleSpec(spec, { ...opts, createdBy: opts.createdBy ?? 'pending' });
  const reach = describeReach(draft.rule, opts.knownFunctions ? [...opts.knownFunctions] : undefined);
  return { item: opts.createdBy ? draft.item : withoutAudit(draft.item), rule: draft.rule, reach, written: false };
}

export async function setRule(ctx: TableContext, spec: RuleSpec, opts: SetRuleOptions = {}): Promise<SetRuleResult> {
  // Validate before asking anyone anything: a bad flag must not cost an STS round trip.
  const plan = planRule(spec, { ...opts, createdBy: opts.createdBy ?? 'pending' });
  if (opts.dryRun) return { ...plan, item: withoutAudit(plan.item) };

  const createdBy = opts.createdBy ?? (await resolveCreatedBy(identityOf(ctx)));
  const item = { ...plan.item, createdBy };
  try {
    await putItem(ctx, item, { replace: Boolean(opts.replace) });
  } catch (err) {
    if (err instanceof ItemExistsError) {
      throw new OperationError(
        `rule ${err.message} already exists: pass --replace to overwrite it, or choose another --id`,
      );
    }
    throw err;
  }
  return { item, rule: { ...plan.rule, createdBy }, reach: plan.reach, written: true };
}

function withoutAudit(item: PlainItem): PlainItem {
  const { createdBy: _ignored, ...rest } = item;
  return rest;
}

export type ClearSelection =
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | { readonly kind: 'scope'; readonly scope: string }
  | { readonly kind: 'all' };

export interface ClearResult {
  readonly deleted: readonly ItemKey[];
  /** Ids asked for by name that no scope holds. */
  readonly notFound: readonly string[];
}

/** `scope/id` names one item; a plain id is looked up in every scope. */
export function parseRuleRef(ref: string): { scope: string | undefined; id: string } {
  const i = ref.indexOf('/');
  return i > 0 ? { scope: ref.slice(0, i), id: ref.slice(i + 1) } : { scope: undefined, id: ref };
}

/**
 * Deletes rules. The kill switch and guardrails are settings, not rules:
 * `--scope '*'` and `--all` leave them alone (use `chaos on`, `chaos guard clear`).
 */
export async function clearRules(ctx: TableContext, selection: ClearSelection): Promise<ClearResult> {
  const deleted: ItemKey[] = [];
  const notFound: string[] = [];
  if (selection.kind === 'ids') {
    let everything: PlainItem[] | undefined;
    for (const ref of selection.ids) {
      const { scope, id } = parseRuleRef(ref);
      if (scope !== undefined) {
        if (await deleteItem(ctx, { scope, id })) deleted.push({ scope, id });
        else notFound.push(ref);
        continue;
      }
      everything ??= await scanItems(ctx);
      const matches = everything.filter((item) => item.id === id && !isControlItem(item));
      if (matches.length === 0) notFound.push(ref);
      for (const item of matches) {
        const key = { scope: String(item.scope), id };
        if (await deleteItem(ctx, key)) deleted.push(key);
      }
    }
    return { deleted, notFound };
  }
  const items = selection.kind === 'scope' ? await queryScope(ctx, selection.scope) : await scanItems(ctx);
  for (const item of items) {
    if (isControlItem(item)) continue;
    const key = { scope: String(item.scope), id: String(item.id) };
    if (await deleteItem(ctx, key)) deleted.push(key);
  }
  return { deleted, notFound };
}

export interface ChaosState {
  readonly set: RuleSet;
  /** The raw items, for --json. */
  readonly items: readonly PlainItem[];
  /** Whether a `#guard` item exists (else DEFAULT_GUARD applies). */
  readonly guardItem: PlainItem | undefined;
  readonly switchItem: PlainItem | undefined;
}

/** Everything in the table (or one scope plus the control items), validated by the agent's own compiler. */
export async function readChaosState(ctx: TableContext, scope?: string): Promise<ChaosState> {
  let items: PlainItem[];
  if (scope === undefined) items = await scanItems(ctx);
  else {
    const own = await queryScope(ctx, scope);
    items = scope === GLOBAL_SCOPE ? own : [...own, ...(await readControlItems(ctx))];
  }
  const set = compileRuleSet(items);
  return {
    set,
    items,
    guardItem: items.find((i) => i.scope === GLOBAL_SCOPE && i.id === GUARD_ID),
    switchItem: items.find((i) => i.scope === GLOBAL_SCOPE && i.id === SWITCH_ID),
  };
}

/** `chaos off` (faults stopped everywhere) writes the switch item; `chaos on` removes it. */
export async function setKillSwitch(
  ctx: TableContext,
  faultsAllowed: boolean,
  opts: { createdBy?: string; nowMs?: number; note?: string } = {},
): Promise<{ changed: boolean }> {
  const key = { scope: GLOBAL_SCOPE, id: SWITCH_ID };
  if (faultsAllowed) return { changed: await deleteItem(ctx, key) };
  const before = (await readControlItems(ctx)).find((i) => i.id === SWITCH_ID);
  const createdBy = opts.createdBy ?? (await resolveCreatedBy(identityOf(ctx)));
  await putItem(
    ctx,
    {
      ...key,
      enabled: false,
      createdBy,
      createdAt: Math.floor((opts.nowMs ?? Date.now()) / 1000),
      ...(opts.note ? { note: opts.note } : {}),
    },
    { replace: true },
  );
  return { changed: before === undefined || before.enabled !== false };
}

export async function readGuard(ctx: TableContext): Promise<{ guard: Guardrails; item: PlainItem | undefined; problems: string[] }> {
  const item = (await readControlItems(ctx)).find((i) => i.id === GUARD_ID);
  if (!item) return { guard: DEFAULT_GUARD, item: undefined, problems: [] };
  const parsed = parseGuardItem(item);
  // A malformed guard is what the agent compiles it to (it fails closed), not the defaults.
  return parsed.ok
    ? { guard: parsed.guard, item, problems: [] }
    : { guard: compileRuleSet([item]).guard, item, problems: parsed.errors };
}

/** Changes to the guardrails as the `chaos guard set` flags give them; `null` removes a setting. */
export interface GuardChanges {
  readonly maxRate?: string | number | null;
  readonly allow?: readonly string[] | null;
  readonly productionLock?: boolean;
  readonly productionEnvs?: readonly string[];
  readonly abortErrorRate?: string | number | null;
  /** A duration such as 60s. */
  readonly abortWindow?: string;
  readonly abortMin?: string | number;
}

const GUARD_FLAGS: Readonly<Record<string, string>> = {
  maxRate: '--max-rate',
  allowedFunctions: '--allow',
  productionLock: '--production-lock',
  productionEnvironments: '--production-envs',
  abortErrorRate: '--abort-error-rate',
  abortWindowSeconds: '--abort-window',
  abortMinInvocations: '--abort-min',
};

function guardMessage(message: string): string {
  const m = /^([A-Za-z]+)(=|:)/.exec(message);
  const flag = m ? GUARD_FLAGS[m[1] ?? ''] : undefined;
  if (!m || !flag) return message;
  return m[2] === '=' ? `${flag} ${message.slice(m[0].length)}` : `${flag}:${message.slice(m[0].length)}`;
}

const numericText = (v: string | number) => (typeof v === 'number' ? v : /^-?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()) ? Number(v) : v);

/** Pure: the guard item after the changes, validated by the agent's parser. Throws UsageError. */
export function applyGuardChanges(current: PlainItem | undefined, changes: GuardChanges): PlainItem {
  const item: PlainItem = { ...(current ?? (guardToItem(DEFAULT_GUARD) as PlainItem)) };
  const errors: string[] = [];
  const put = (key: string, value: unknown) => {
    if (value === null) delete item[key];
    else if (value !== undefined) item[key] = value;
  };
  put('maxRate', changes.maxRate === undefined || changes.maxRate === null ? changes.maxRate : numericText(changes.maxRate));
  put('allowedFunctions', changes.allow === null ? null : changes.allow ? [...changes.allow] : undefined);
  put('productionLock', changes.productionLock);
  put('productionEnvironments', changes.productionEnvs ? [...changes.productionEnvs] : undefined);
  if (changes.abortErrorRate === null) {
    for (const k of ['abortErrorRate', 'abortWindowSeconds', 'abortMinInvocations']) delete item[k];
  } else {
    put('abortErrorRate', changes.abortErrorRate === undefined ? undefined : numericText(changes.abortErrorRate));
    if (changes.abortWindow !== undefined) {
      try {
        put('abortWindowSeconds', parseDuration(changes.abortWindow) / 1000);
      } catch {
        errors.push(`--abort-window ${changes.abortWindow}: expected a duration such as 30s, 60s or 5m`);
      }
    }
    put('abortMinInvocations', changes.abortMin === undefined ? undefined : numericText(changes.abortMin));
  }
  if (errors.length === 0) {
    const check = parseGuardItem(item);
    if (!check.ok) errors.push(...check.errors.map(guardMessage));
  }
  if (errors.length > 0) throw new UsageError(errors.join('; '));
  return item;
}

export async function setGuard(
  ctx: TableContext,
  changes: GuardChanges,
  opts: { createdBy?: string; nowMs?: number } = {},
): Promise<{ item: PlainItem; guard: Guardrails }> {
  const { item: current } = await readGuard(ctx);
  const body = applyGuardChanges(current, changes);
  const createdBy = opts.createdBy ?? (await resolveCreatedBy(identityOf(ctx)));
  const item = { ...body, scope: GLOBAL_SCOPE, id: GUARD_ID, createdBy, createdAt: Math.floor((opts.nowMs ?? Date.now()) / 1000) };
  await putItem(ctx, item, { replace: true });
  const parsed = parseGuardItem(item);
  return { item, guard: parsed.ok ? parsed.guard : DEFAULT_GUARD };
}

export async function clearGuard(ctx: TableContext): Promise<{ changed: boolean }> {
  return { changed: await deleteItem(ctx, { scope: GLOBAL_SCOPE, id: GUARD_ID }) };
}
