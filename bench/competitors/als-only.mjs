// Not a tool: the bare handler run inside an AsyncLocalStorage context, as
// any agent that keeps per-invocation state in async context must (docs/telemetry.md).
// On Node 20, AsyncLocalStorage works through async_hooks, so
// every promise and native callback of the process pays for it; this row
// shows that floor apart from what a tool adds on top.
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadUserHandler } from './userHandler.mjs';

const store = new AsyncLocalStorage();
const user = loadUserHandler();

export const handler = (event, context) => store.run({ event }, () => user(event, context));
