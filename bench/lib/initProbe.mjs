// One import+init sample, in a fresh process: the time from just before the
// dynamic import() of a tool's entry to a ready wrapped handler. Plain
// JavaScript, run with bare `node`, so no loader hooks add to the figure.
// CPU time (user + system, all threads) is reported beside it: it moves far
// less than wall time when the machine is busy with other work.
// Usage: node bench/lib/initProbe.mjs <file: URL of an entry exporting `handler`> [builtin,...]
// The optional builtins are loaded before the clock starts (what the Lambda
// runtime client has already loaded when it imports the function).
const url = process.argv[2];
if (!url) throw new Error('usage: initProbe.mjs <entry file: URL> [node:builtin,...]');
for (const builtin of (process.argv[3] ?? '').split(',').filter(Boolean)) await import(builtin);
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(url);
const handler = mod.handler;
const t1 = performance.now();
const cpu = process.cpuUsage(c0);
if (typeof handler !== 'function') throw new Error(`${url}: expected an exported handler function, got ${typeof handler}`);
process.stderr.write(`FLBENCH ${JSON.stringify({ ms: t1 - t0, cpuMs: (cpu.user + cpu.system) / 1000, processMs: t1 })}\n`);
// Tools may leave sockets or timers behind (X-Ray's UDP socket); the sample is taken.
process.exit(0);
