// DynamoDB for tests: dynalite (in memory, in this process) on 127.0.0.1 on
// an OS-picked port, tables in the rule table's shape (partition key `scope`,
// sort key `id`), and the items written to them.
// The file that starts a server stops it (`close()` in its own `after`).
import type { Server } from 'node:http';
import { after, before } from 'node:test';
import dynalite from 'dynalite';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { closeServer, listen } from './targetServer.js';

export type Item = Record<string, AttributeValue>;

/** Credentials that look real; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

export interface LocalDynamo {
  readonly server: Server;
  /** `http://127.0.0.1:<port>`, for a client's endpoint or AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  /** A client of this server: region eu-west-1 and LOCAL_CREDENTIALS unless `config` says otherwise. */
  client(config?: DynamoDBClientConfig): DynamoDBClient;
  /** Drops every connection and stops the server. */
  close(): Promise<void>;
}

/** Starts dynalite with tables created, deleted and updated at once. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = `http://127.0.0.1:${await listen(server)}`;
  return {
    server,
    endpoint,
    client: (config = {}) => new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS, ...config }),
    close: () => closeServer(server),
  };
}

let tableCount = 0;

/** A table name not used before in this process. */
export function freshTableName(prefix = 'faultline-rules'): string {
  return `${prefix}-${++tableCount}`;
}

/** The rule table's key: partition key `scope`, sort key `id`. */
export const RULE_TABLE_KEYS = ['scope', 'id'] as const;

/** Creates an on-demand table keyed on string attributes (partition key first, then the sort key, if any) and waits until it is ACTIVE. */
export async function createTable(ddb: DynamoDBClient, name: string, keys: readonly string[] = RULE_TABLE_KEYS): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: keys.map((k, i) => ({ AttributeName: k, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' })),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  while ((await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE') {
    await new Promise((r) => setImmediate(r));
  }
}

/** Creates a rule table with a fresh name, puts `items` into it, and returns the name. */
export async function createRuleTable(ddb: DynamoDBClient, items: readonly Item[] = [], prefix?: string): Promise<string> {
  const name = freshTableName(prefix);
  await createTable(ddb, name);
  for (const item of items) await putItem(ddb, name, item);
  return name;
}

export async function putItem(ddb: DynamoDBClient, table: string, item: Item): Promise<void> {
  await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
}

/** Deletes the item with this key from a rule table. */
export async function deleteRuleItem(ddb: DynamoDBClient, table: string, scope: string, id: string): Promise<void> {
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { scope: { S: scope }, id: { S: id } } }));
}

/**
 * An enabled rule item in the table's shape (docs/rules.md): an error fault
 * (ProvisionedThroughputExceededException) on DynamoDB GetItem, no rate
 * attribute; `extra` adds or replaces attributes. The `error` attribute is left
 * out when `extra` makes it another kind of fault.
 */
export function ruleItem(scope: string, id: string, extra: Item = {}): Item {
  return {
    scope: { S: scope },
    id: { S: id },
    enabled: { BOOL: true },
    target: { S: 'aws:dynamodb:GetItem' },
    fault: { S: 'error' },
    // error belongs to fault=error only
    ...(extra.fault === undefined || extra.fault.S === 'error' ? { error: { S: 'ProvisionedThroughputExceededException' } } : {}),
    ...extra,
  };
}

/** The guardrails item (`*`, `#guard`) with these attributes. */
export function guardItem(attrs: Item): Item {
  return { scope: { S: '*' }, id: { S: '#guard' }, ...attrs };
}

export interface DynaliteSuite {
  readonly dynamo: LocalDynamo;
  readonly endpoint: string;
  /** A client of the server with the defaults of `LocalDynamo.client()`, destroyed with it. */
  readonly ddb: DynamoDBClient;
}

/**
 * Registers, in the suite that calls it, a dynalite server started before its
 * tests and a client of it; both are stopped after them. Read the fields inside hooks and tests.
 */
export function useDynalite(): DynaliteSuite {
  let dynamo: LocalDynamo | undefined;
  let ddb: DynamoDBClient | undefined;
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useDynalite: read before the suite started');
    return v;
  };
  before(async () => {
    dynamo = await startDynalite();
    ddb = dynamo.client();
  });
  after(async () => {
    ddb?.destroy();
    await dynamo?.close();
  });
  return {
    get dynamo() {
      return started(dynamo);
    },
    get endpoint() {
      return started(dynamo).endpoint;
    },
    get ddb() {
      return started(ddb);
    },
  };
}
