// An agent for in-process tests: TEST_ENV settings, a MemorySink, console left
// alone, installed as the process's agent until the test (or suite) that asked
// for it ends, when it is uninstalled again.
import { after, type TestContext } from 'node:test';
import { createAgent, installAgent, type Agent, type AgentOptions } from '../../src/agent.js';
import { MemorySink, TEST_ENV } from './memorySink.js';

export interface TestAgent {
  readonly agent: Agent;
  readonly sink: MemorySink;
}

/**
 * Creates and installs an agent writing to a fresh MemorySink (`env` is added to TEST_ENV).
 * Uninstalled by `t.after` when a test context is given, else by an `after` in the enclosing suite.
 */
export function installTestAgent(t?: TestContext, opts: Omit<AgentOptions, 'sink' | 'env'> & { env?: Record<string, string> } = {}): TestAgent {
  const sink = new MemorySink();
  const agent = createAgent({ captureConsole: false, ...opts, env: { ...TEST_ENV, ...opts.env }, sink });
  installAgent(agent);
  if (t !== undefined) t.after(() => installAgent(null));
  else after(() => installAgent(null));
  return { agent, sink };
}
