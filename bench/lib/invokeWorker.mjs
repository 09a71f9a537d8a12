// Per-invocation cost, in one tool's own process: the entry's handler called
// in sequence, each call timed on its own (event and context are made before
// the clock starts, as the runtime makes them).
// Usage: node bench/lib/invokeWorker.mjs <entry file: URL exporting `handler`>
import { serve } from './workerLoop.mjs';
import { apiGatewayV2Event, lambdaContext, setTraceHeader } from './lambdaFixtures.mjs';

const { handler } = await import(process.argv[2]);
let seq = 0;

async function invokeTimed(n) {
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = seq++;
    setTraceHeader(k);
    const event = apiGatewayV2Event();
    const ctx = lambdaContext(k);
    const t0 = performance.now();
    const res = await handler(event, ctx);
    samples[i] = (performance.now() - t0) * 1000;
    if (res?.statusCode !== 200) throw new Error(`handler returned ${JSON.stringify(res)}, expected statusCode 200`);
  }
  return Array.from(samples);
}

serve({
  /** n invocations; per-invocation wall times in µs, and the process's CPU time per invocation. */
  run: async ({ n }) => {
    const c0 = process.cpuUsage();
    const samples = await invokeTimed(n);
    const c = process.cpuUsage(c0);
    // CPU per invocation includes making event and context (the same for every tool).
    return { samples, cpuPerInvocationUs: (c.user + c.system) / n };
  },
  /** Lines the tool writes to stdout over n invocations (proof it is doing its work), outside any timing. */
  verify: async ({ n }) => {
    const write = process.stdout.write;
    let lines = 0;
    process.stdout.write = function (chunk, ...rest) {
      lines += String(chunk).split('\n').length - 1;
      return write.call(this, chunk, ...rest);
    };
    try {
      await invokeTimed(n);
    } finally {
      process.stdout.write = write;
    }
    return { lines };
  },
});
