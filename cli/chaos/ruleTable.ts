// Reads and writes the rule table (docs/rules.md): the chaos commands and
// the scenario runner go through these functions, never through raw client calls.
import { marshallItem, unmarshallItem, type AttributeValueJson } from '../../src/chaos/dynamoJson.js';
import { GLOBAL_SCOPE, GUARD_ID, SWITCH_ID } from '../../src/chaos/ruleTypes.js';
import { OperationError } from '../common.js';
import type { TableContext } from './tableContext.js';

export type PlainItem = Record<string, unknown>;

export interface ItemKey {
  readonly scope: string;
  readonly id: string;
}

/** An item as DynamoDB's JSON carries it. */
type WireItem = Record<string, AttributeValueJson>;

/** The parts of Scan and Query answers read here. */
interface Page {
  readonly Items?: WireItem[];
  readonly LastEvaluatedKey?: WireItem;
}

interface DescribeTableOutput {
  readonly Table?: { readonly TableStatus?: string };
}

const KEY_NAMES = { '#s': 'scope', '#i': 'id' } as const;

const errorName = (err: unknown) => (err as { name?: unknown } | undefined)?.name;

export function isControlItem(item: ItemKey | PlainItem): boolean {
  return item.scope === GLOBAL_SCOPE && (item.id === SWITCH_ID || item.id === GUARD_ID);
}

export type InitOutcome = { created: boolean; ttl: 'enabled' | 'already-enabled' | 'unsupported'; ttlMessage?: string };

/** Creates the table (on demand, scope/id keys), waits for ACTIVE, turns on TTL on expiresAt. */
export async function initTable(ctx: TableContext, maxWaitSeconds = 120): Promise<InitOutcome> {
  let created = true;
  try {
    await ctx.client.call('CreateTable', {
      TableName: ctx.table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'scope', AttributeType: 'S' },
        { AttributeName: 'id', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'scope', KeyType: 'HASH' },
        { AttributeName: 'id', KeyType: 'RANGE' },
      ],
    });
  } catch (err) {
    if (errorName(err) !== 'ResourceInUseException') throw err;
    created = false;
  }
  await waitForActive(ctx, maxWaitSeconds);
  try {
    await ctx.client.call('UpdateTimeToLive', {
      TableName: ctx.table,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    return { created, ttl: 'enabled' };
  } catch (err) {
    const name = String(errorName(err) ?? '');
    const message = err instanceof Error ? err.message : String(err);
    // Real DynamoDB refuses to enable TTL twice; that is success for us.
    if (name === 'ValidationException' && /already enabled/i.test(message)) return { created, ttl: 'already-enabled' };
    // Local stand-ins (dynalite) do not implement UpdateTimeToLive: rules still
    // expire for the agent, which compares expiresAt itself; only the cleanup is lost.
    if (name === 'UnknownOperationException' || /unknown ?operation|not (supported|implemented)/i.test(`${name} ${message}`)) {
      return { created, ttl: 'unsupported', ttlMessage: `${name || 'error'}: ${message}` };
    }
    throw err;
  }
}

export interface WaitOptions {
  /** Waits between polls; tests pass one that records and does not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const FIRST_POLL_DELAY_MS = 1000;
const MAX_POLL_DELAY_MS = 5000;

/**
 * Polls DescribeTable until the table is ACTIVE: at once, then after 1 s,
 * 2 s, 4 s and every 5 s, for at most `maxWaitSeconds`. A table not there yet
 * is waited for; any other failure ends the wait at once (an access denied
 * stays denied).
 */
export async function waitForActive(ctx: TableContext, maxWaitSeconds: number, opts: WaitOptions = {}): Promise<void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + maxWaitSeconds * 1000;
  let delayMs = FIRST_POLL_DELAY_MS;
  for (;;) {
    let seen: string;
    try {
      const out = await ctx.client.call<DescribeTableOutput>('DescribeTable', { TableName: ctx.table });
      seen = out.Table?.TableStatus ?? 'no status';
      if (seen === 'ACTIVE') return;
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw err;
      seen = 'not found';
    }
    const left = deadline - now();
    if (left <= 0) {
      throw new OperationError(
        `table ${ctx.table} is not ACTIVE after ${maxWaitSeconds}s (${seen}): see it in the DynamoDB console, then run faultline chaos init again`,
      );
    }
    await sleep(Math.min(delayMs, left));
    delayMs = Math.min(MAX_POLL_DELAY_MS, delayMs * 2);
  }
}

/** Confirms the table exists (so a typo fails before anything else happens). */
export async function describeTable(ctx: TableContext): Promise<void> {
  await ctx.client.call('DescribeTable', { TableName: ctx.table });
}

export class ItemExistsError extends Error {
  override name = 'ItemExistsError';
}

/** Writes one item; without `replace`, refuses when an item with that key exists. */
export async function putItem(ctx: TableContext, item: PlainItem, { replace }: { replace: boolean }): Promise<void> {
  try {
    await ctx.client.call('PutItem', {
      TableName: ctx.table,
      Item: marshallItem(item),
      ...(replace ? {} : { ConditionExpression: 'attribute_not_exists(#i)', ExpressionAttributeNames: { '#i': 'id' } }),
    });
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') {
      throw new ItemExistsError(`${String(item.scope)}/${String(item.id)}`);
    }
    throw err;
  }
}

/** Deletes one item; resolves false when it was not there. */
export async function deleteItem(ctx: TableContext, key: ItemKey): Promise<boolean> {
  try {
    await ctx.client.call('DeleteItem', {
      TableName: ctx.table,
      Key: marshallItem({ scope: key.scope, id: key.id }),
      ConditionExpression: 'attribute_exists(#i)',
      ExpressionAttributeNames: { '#i': 'id' },
    });
    return true;
  } catch (err) {
    if (errorName(err) === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** Every item of the table, all pages. */
export async function scanItems(ctx: TableContext): Promise<PlainItem[]> {
  const out: PlainItem[] = [];
  let start: WireItem | undefined;
  do {
    const page = await ctx.client.call<Page>('Scan', { TableName: ctx.table, ...(start && { ExclusiveStartKey: start }) });
    for (const item of page.Items ?? []) out.push(unmarshallItem(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Every item of one scope, all pages. */
export async function queryScope(ctx: TableContext, scope: string): Promise<PlainItem[]> {
  const out: PlainItem[] = [];
  let start: WireItem | undefined;
  do {
    const page = await ctx.client.call<Page>('Query', {
      TableName: ctx.table,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': KEY_NAMES['#s'] },
      ExpressionAttributeValues: marshallItem({ ':s': scope }),
      ...(start && { ExclusiveStartKey: start }),
    });
    for (const item of page.Items ?? []) out.push(unmarshallItem(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The kill switch and guardrail items (scope `*`), whichever exist. */
export async function readControlItems(ctx: TableContext): Promise<PlainItem[]> {
  return (await queryScope(ctx, GLOBAL_SCOPE)).filter(isControlItem);
}
