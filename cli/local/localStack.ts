// Everything the local mode runs, started in order and stopped in reverse:
// embedded DynamoDB (rule table and the sample app's data), the payment
// provider stand-in, the sample app's functions in emulated execution
// environments with the faultline layer attached through
// AWS_LAMBDA_EXEC_WRAPPER, and the HTTP front door plus Lambda Invoke API.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './embeddedDynamo.js';
import { startPaymentProvider, type PaymentProvider } from './paymentProvider.js';
import { createFunctionPool, type FunctionPool, type InvocationReport } from './functionPool.js';
import { startGateway, type Gateway } from './gateway.js';
import { LOCAL_CREDENTIALS } from './lambdaEnv.js';
import { packageRoot } from './packageRoot.js';
import { initTable } from '../chaos/ruleTable.js';
import { fixedTableContext, type TableContext } from '../chaos/tableContext.js';
import type { EnvironmentEvent } from './functionPool.js';
import type { RuntimeNode } from './runtimeNode.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_RULE_TABLE = 'faultline-rules';
/** Environments per function in the local mode unless app.json says otherwise. */
export const DEFAULT_LOCAL_CONCURRENCY = 4;

interface AppManifest {
  name: string;
  tables: { name: string; hashKey: string }[];
  functions: {
    name: string;
    handler: string;
    timeoutSeconds?: number;
    memoryMb?: number;
    reservedConcurrency?: number;
    http?: { method: string; path: string };
  }[];
}

export interface LocalStackOptions {
  /** Where the functions' logs go (`<logDir>/<function>/<stream>.log`). */
  readonly logDir: string;
  /** The sample app directory (with app.json); default examples/shop. */
  readonly appDir?: string;
  /** Unzipped layer to attach; default dist/layer/faultline (npm run build:layer). */
  readonly layerDir?: string;
  readonly refreshMs?: number;
  readonly onEnvironment?: (event: EnvironmentEvent) => void;
  readonly onInvocation?: (report: InvocationReport) => void;
  /** The emulated runtime and its node; default nodejs24.x (see runtimeNode.ts). */
  readonly runtime?: RuntimeNode;
}

export interface InvocationCounters {
  invocations: number;
  coldStarts: number;
  errors: number;
}

export interface LocalStack {
  readonly dynamo: EmbeddedDynamo;
  readonly provider: PaymentProvider;
  readonly pool: FunctionPool;
  readonly gateway: Gateway;
  readonly functionNames: readonly string[];
  readonly logDir: string;
  /** Every invocation through the front door and the Invoke API, counted. */
  readonly counters: InvocationCounters;
  /** What a shell needs to point the CLI at this stack. */
  readonly cliEnv: Readonly<Record<string, string>>;
  close(): Promise<void>;
  /** Synchronous last resort for signal handlers. */
  killAll(): void;
}

/** The embedded DynamoDB's rule table, opened as the chaos commands open a table (same client, local endpoint and credentials). */
export function localTableContext(endpoint: string): Promise<TableContext> {
  return fixedTableContext({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, table: LOCAL_RULE_TABLE });
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const root = packageRoot();
  const appDir = resolve(opts.appDir ?? join(root, 'examples', 'shop'));
  const layerDir = resolve(opts.layerDir ?? join(root, 'dist', 'layer', 'faultline'));
  const wrapper = join(layerDir, 'faultline-wrapper');
  if (!existsSync(wrapper)) {
    throw new Error(`the faultline layer is not built (${wrapper} is missing): run npm run build:layer`);
  }
  const app = JSON.parse(readFileSync(join(appDir, 'app.json'), 'utf8')) as AppManifest;

  const counters: InvocationCounters = { invocations: 0, coldStarts: 0, errors: 0 };
  const stopping: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => {});
    stopping.length = 0;
  };
  try {
    const dynamo = await startEmbeddedDynamo();
    stopping.push(() => dynamo.close());
    const rules = await localTableContext(dynamo.endpoint);
    try {
      for (const t of app.tables) {
        await rules.client.call('CreateTable', {
          TableName: t.name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: t.hashKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: t.hashKey, KeyType: 'HASH' }],
        });
      }
      // The rule table, as `faultline chaos init` makes it.
      await initTable(rules);
    } finally {
      rules.client.destroy();
    }

    const provider = await startPaymentProvider();
    stopping.push(() => provider.close());

    // The gateway needs the pool and the functions need the gateway's URLs:
    // the pool reads each function's environment when it starts an environment.
    const shared: Record<string, string> = {};
    const pool = createFunctionPool({
      logDir: opts.logDir,
      region: LOCAL_REGION,
      ...(opts.runtime !== undefined && { runtime: opts.runtime }),
      idleTimeoutMs: 60_000,
      onEnvironment: opts.onEnvironment,
      functions: app.functions.map((f) => ({
        name: f.name,
        handler: f.handler,
        codeDir: appDir,
        timeoutSeconds: f.timeoutSeconds,
        memorySizeMb: f.memoryMb,
        // A laptop is not a region: a few environments per function at most, extra invocations wait.
        reservedConcurrency: f.reservedConcurrency ?? DEFAULT_LOCAL_CONCURRENCY,
        layers: [layerDir],
        environment: shared,
      })),
    });
    stopping.push(() => pool.close());
    const gateway = await startGateway({
      pool,
      region: LOCAL_REGION,
      routes: app.functions.filter((f) => f.http).map((f) => ({ method: f.http!.method, path: f.http!.path, functionName: f.name })),
      onInvocation: (r) => {
        counters.invocations++;
        if (r.coldStart) counters.coldStarts++;
        if (r.kind !== 'response') counters.errors++;
        opts.onInvocation?.(r);
      },
    });
    stopping.push(() => gateway.close());
    Object.assign(shared, {
      AWS_LAMBDA_EXEC_WRAPPER: wrapper,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: gateway.lambdaUrl,
      SHOP_API_URL: gateway.apiUrl,
      PAYMENT_PROVIDER_URL: provider.url,
      ORDERS_TABLE: app.tables[0]?.name ?? 'shop-orders',
      FAULTLINE_CHAOS_TABLE: LOCAL_RULE_TABLE,
      FAULTLINE_CHAOS_REFRESH_MS: String(opts.refreshMs ?? 1000),
      FAULTLINE_ENV: 'local',
      // The SDK's notice about Node 20 support would otherwise open every environment's log.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });

    return {
      dynamo,
      provider,
      pool,
      gateway,
      functionNames: app.functions.map((f) => f.name),
      logDir: opts.logDir,
      counters,
      cliEnv: {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        FAULTLINE_CHAOS_TABLE: LOCAL_RULE_TABLE,
      },
      close: closeAll,
      killAll: () => pool.killAll(),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
