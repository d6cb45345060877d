// Loaded only by tests, into a service they spawn (`node --expose-gc --require <this file>`; see
// `nodeArgs` in processes.ts): on SIGUSR2, a full garbage collection, then one line on stderr with
// what is still alive. The service's own code knows nothing of it. RSS cannot tell a leak from
// the heap V8 keeps for later (garbage not yet collected, a young generation grown under load);
// the heap after a full GC can.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc(); // a second pass for what the first one's finalizers and weak callbacks freed
  const { heapUsed, external, rss } = process.memoryUsage();
  process.stderr.write(`${JSON.stringify({ heapProbe: { heapUsed, external, rss } })}\n`);
});
