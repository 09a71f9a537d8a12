// Attach mode 2 (and mode 1, through faultline-wrapper): the runtime loads this
// module as the function's handler; it loads the function's own handler named
// by FAULTLINE_HANDLER from LAMBDA_TASK_ROOT and wraps it. A handler that
// cannot be found fails the init, with a message naming what was looked for.
import { getAgent, processConfig } from './agent.js';
import { loadHandler } from './loadHandler.js';
import { wrap } from './wrap.js';

const agent = getAgent();
// The settings the agent was built from (read once for the process), also when the agent could not be built.
const config = agent?.config ?? processConfig();
const userHandler = await loadHandler(config.taskRoot, config.handler);
// Chaos rules load during init, with a bounded wait, so the first invocation doesn't pay for it.
if (agent) await agent.ready;

export const handler = wrap(userHandler);
