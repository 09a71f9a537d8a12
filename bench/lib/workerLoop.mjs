// The command loop of a benchmark worker: the parent (bench/lib/children.ts
// startWorker) sends `{ op, ...args }`, the worker answers
// `{ ok: true, ...result }` or `{ ok: false, error }`.
export function serve(ops) {
  process.on('message', async (msg) => {
    try {
      const op = ops[msg.op];
      if (typeof op !== 'function') throw new Error(`unknown op ${JSON.stringify(msg.op)}; expected one of ${Object.keys(ops).join(', ')}`);
      process.send({ ok: true, ...(await op(msg)) });
    } catch (err) {
      process.send({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
  // The parent disconnects to stop a worker; exiting on our own lets --cpu-prof write its profile.
  process.on('disconnect', () => process.exit(0));
  process.send({ ok: true, ready: true });
}
