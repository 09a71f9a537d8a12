// What the `faultline chaos …` subcommands share: table access loaded on first use, output helpers.
import type { CommonOptions } from '../../common.js';
import type { TableContext } from '../../chaos/tableContext.js';

// Loaded on first use: only the chaos actions that talk to the table pay for
// the table client and the rule modules, not every other faultline command.
export const tableAccess = async () => ({
  ...(await import('../../chaos/tableContext.js')),
  ...(await import('../../chaos/ruleTable.js')),
  ...(await import('../../chaos/operations.js')),
  ...(await import('../../chaos/tableRuleStore.js')),
});


/** Opens the table context, runs `fn` with AWS errors made readable, and releases the client's connections. */
export async function onTable<T>(opts: CommonOptions, fn: (ctx: TableContext) => Promise<T>): Promise<T> {
  const { createTableContext, withTable } = await tableAccess();
  const ctx = await createTableContext(opts);
  try {
    return await withTable(ctx, fn);
  } finally {
    ctx.client.destroy();
  }
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];
export const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);
