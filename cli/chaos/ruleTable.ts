// Reads and writes the rule table (docs/rules.md): the chaos commands and
// the scenario runner go through these functions, never through raw SDK calls.
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshallItem, unmarshallItem } from '../../src/chaos/dynamoJson.js';
import { GLOBAL_SCOPE, GUARD_ID, SWITCH_ID } from '../../src/chaos/ruleTypes.js';
import type { TableContext } from './tableContext.js';

export type PlainItem = Record<string, unknown>;

export interface ItemKey {
  readonly scope: string;
  readonly id: string;
}

const KEY_NAMES = { '#s': 'scope', '#i': 'id' } as const;

const toWire = (item: PlainItem) => marshallItem(item) as unknown as Record<string, AttributeValue>;
const fromWire = (item: Record<string, AttributeValue>) =>
  unmarshallItem(item as unknown as Parameters<typeof unmarshallItem>[0]) as PlainItem;

export function isControlItem(item: ItemKey | PlainItem): boolean {
  return item.scope === GLOBAL_SCOPE && (item.id === SWITCH_ID || item.id === GUARD_ID);
}

export type InitOutcome = { created: boolean; ttl: 'enabled' | 'already-enabled' | 'unsupported'; ttlMessage?: string };

/** Creates the table (on demand, scope/id keys), waits for ACTIVE, turns on TTL on expiresAt. */
export async function initTable(ctx: TableContext, maxWaitSeconds = 120): Promise<InitOutcome> {
  let created = true;
  try {
    await ctx.client.send(
      new CreateTableCommand({
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
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
    created = false;
  }
  await waitUntilTableExists({ client: ctx.client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 }, { TableName: ctx.table });
  try {
    await ctx.client.send(
      new UpdateTimeToLiveCommand({
        TableName: ctx.table,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    return { created, ttl: 'enabled' };
  } catch (err) {
    const name = (err as { name?: string }).name ?? '';
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

/** Confirms the table exists (so a typo fails before anything else happens). */
export async function describeTable(ctx: TableContext): Promise<void> {
  await ctx.client.send(new DescribeTableCommand({ TableName: ctx.table }));
}

export class ItemExistsError extends Error {
  override name = 'ItemExistsError';
}

/** Writes one item; without `replace`, refuses when an item with that key exists. */
export async function putItem(ctx: TableContext, item: PlainItem, { replace }: { replace: boolean }): Promise<void> {
  try {
    await ctx.client.send(
      new PutItemCommand({
        TableName: ctx.table,
        Item: toWire(item),
        ...(replace ? {} : { ConditionExpression: 'attribute_not_exists(#i)', ExpressionAttributeNames: { '#i': 'id' } }),
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new ItemExistsError(`${String(item.scope)}/${String(item.id)}`);
    }
    throw err;
  }
}

/** Deletes one item; resolves false when it was not there. */
export async function deleteItem(ctx: TableContext, key: ItemKey): Promise<boolean> {
  try {
    await ctx.client.send(
      new DeleteItemCommand({
        TableName: ctx.table,
        Key: toWire({ scope: key.scope, id: key.id }),
        ConditionExpression: 'attribute_exists(#i)',
        ExpressionAttributeNames: { '#i': 'id' },
      }),
    );
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** Every item of the table, all pages. */
export async function scanItems(ctx: TableContext): Promise<PlainItem[]> {
  const out: PlainItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.client.send(new ScanCommand({ TableName: ctx.table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) out.push(fromWire(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Every item of one scope, all pages. */
export async function queryScope(ctx: TableContext, scope: string): Promise<PlainItem[]> {
  const out: PlainItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.client.send(
      new QueryCommand({
        TableName: ctx.table,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': KEY_NAMES['#s'] },
        ExpressionAttributeValues: toWire({ ':s': scope }),
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) out.push(fromWire(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The kill switch and guardrail items (scope `*`), whichever exist. */
export async function readControlItems(ctx: TableContext): Promise<PlainItem[]> {
  return (await queryScope(ctx, GLOBAL_SCOPE)).filter(isControlItem);
}
