// The child-spawning part of `faultline local`, for test/local/orphans.test.ts:
// starts an idle environment, a busy one (its handler waits on the test's
// server, which never answers) and a busy one behind an exec wrapper that
// forks, then prints their pids and waits to be killed.
import { fileURLToPath } from 'node:url';
import { startEnvironment } from '../../cli/local/executionEnvironment.js';
import { fixture } from './support.js';

const [logDir, gateUrl] = process.argv.slice(2) as [string, string];
const forkingWrapper = fileURLToPath(new URL('../fixtures/local/forkingWrapper.sh', import.meta.url));

const spec = { handler: 'index.handler', timeoutSeconds: 900 };
const idle = await startEnvironment({ ...spec, name: 'idle', codeDir: fixture('cjs') }, { logDir, initializationType: 'provisioned-concurrency' });
const busy = await startEnvironment({ ...spec, name: 'busy', codeDir: fixture('gate') }, { logDir });
const wrapped = await startEnvironment(
  { ...spec, name: 'wrapped', codeDir: fixture('gate'), environment: { AWS_LAMBDA_EXEC_WRAPPER: forkingWrapper } },
  { logDir },
);
// The gate is the test's server, which does not answer: both handlers stay busy whatever happens to this process.
void busy.invoke({ url: gateUrl });
void wrapped.invoke({ url: gateUrl });
process.stdout.write(JSON.stringify({ pids: [idle.pid, busy.pid, wrapped.pid] }) + '\n');
