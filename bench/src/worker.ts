// A load-generator worker process (forked by the coordinator): runs a LoadRunner or an IdleRunner
// and answers the coordinator's requests over IPC. Several workers share the load so no single
// event loop of the generator becomes the bottleneck.
import { IdleRunner, LoadRunner, type IdleOptions, type LoadOptions } from './load.js';

export type WorkerRequest =
  | { cmd: 'load'; opts: LoadOptions }
  | { cmd: 'grow'; games: number }
  | { cmd: 'think'; ms: number }
  | { cmd: 'mark' }
  | { cmd: 'collect' }
  | { cmd: 'idle'; opts: IdleOptions }
  | { cmd: 'idleMark' }
  | { cmd: 'idleRead' }
  | { cmd: 'stop' };

let load: LoadRunner | undefined;
let idle: IdleRunner | undefined;

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'load':
      await load?.stop();
      load = new LoadRunner(req.opts);
      return load.start();
    case 'grow':
      return load!.grow(req.games);
    case 'think':
      load?.setThink(req.ms);
      return null;
    case 'mark':
      load?.mark();
      return null;
    case 'collect':
      return load!.collect();
    case 'idle':
      await idle?.close();
      idle = new IdleRunner(req.opts);
      return idle.open();
    case 'idleMark':
      idle?.markHold();
      return null;
    case 'idleRead':
      return idle!.readHold();
    case 'stop':
      await load?.stop();
      await idle?.close();
      load = undefined;
      idle = undefined;
      return null;
  }
}

process.on('message', (msg: { id: number; req: WorkerRequest }) => {
  handle(msg.req).then(
    (result) => process.send!({ id: msg.id, ok: true, result }),
    (err: unknown) => process.send!({ id: msg.id, ok: false, error: String(err instanceof Error ? err.stack ?? err.message : err) }),
  );
});
process.on('disconnect', () => process.exit(0));
// @colyseus/sdk reports every refused or reset room socket, messages that arrive before a
// joiner's handlers exist, and each step of its automatic reconnection on the console; the harness
// counts failures itself (drops, closes, failed joins).
for (const level of ['warn', 'error', 'info'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    const first = String(args[0] ?? '');
    if (/^(@colyseus\/sdk|colyseus|\[Colyseus reconnection\]|Room connection was closed|Room, onError)/.test(first)) return;
    original(...args);
  };
}
// A stray rejection must not kill a worker in the middle of a run: report it and go on.
process.on('unhandledRejection', (err) => console.error(`bench worker: unhandled rejection: ${String(err)}`));
