// A list-then-watch cache of one kind of object (client-go's reflector, small). It survives what an
// API server does to long watches:
// - the watch ends (server timeout, dropped connection, client inactivity timeout): watch again
//   from the last resourceVersion seen (events or bookmarks), without a new list;
// - 410 Gone (as an HTTP status, or an ERROR event in the stream: the resourceVersion is too old):
//   list again, and report as deleted what the new list no longer has;
// - any other error: back off (doubling, capped) and try again; never give up.
// The client library's ListWatch stops for good on the first non-410 error, so it is not used.
import type { KubernetesObject, Watch } from '@kubernetes/client-node';
import type { Logger } from '@gambit/common';
import { statusOf } from './client.js';

export interface InformerOptions<T extends KubernetesObject> {
  /** Collection path, e.g. /api/v1/namespaces/NS/pods. */
  path: string;
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  watch: Watch;
  labelSelector?: string;
  log: Logger;
  /** Server-side watch timeout (the API server ends the watch after it; we watch again). */
  timeoutSeconds?: number;
  backoffMs?: { base: number; max: number };
  onRestart?: (reason: 'gone' | 'closed' | 'error' | 'timeout') => void;
}

type Handler<T> = (obj: T) => void;

export class Informer<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly handlers = { add: [] as Handler<T>[], update: [] as Handler<T>[], delete: [] as Handler<T>[], synced: [] as (() => void)[] };
  private resourceVersion = '';
  private running = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  /** True once the first list arrived: `list()` is then a true picture (modulo watch latency). */
  synced = false;

  constructor(private readonly o: InformerOptions<T>) {}

  on(event: 'add' | 'update' | 'delete', h: Handler<T>): void;
  on(event: 'synced', h: () => void): void;
  on(event: 'add' | 'update' | 'delete' | 'synced', h: Handler<T> | (() => void)): void {
    (this.handlers[event] as unknown[]).push(h);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  latestResourceVersion(): string {
    return this.resourceVersion;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const listed = !this.resourceVersion;
        if (listed) await this.relist();
        const { outcome, events } = await this.watchOnce();
        if (!this.running) return;
        this.o.onRestart?.(outcome);
        if (outcome === 'gone') {
          this.resourceVersion = '';
          this.o.log.info({ path: this.o.path }, 'watch expired (410 Gone): listing again');
          // Gone at once after a fresh list: something is wrong on the server; back off, do not spin.
          if (listed && events === 0) throw new Error('410 Gone right after a list');
          continue;
        }
        if (outcome === 'error') throw new Error('watch failed');
        this.failures = 0;
      } catch (err) {
        if (!this.running) return;
        this.failures++;
        const b = this.o.backoffMs ?? { base: 500, max: 30_000 };
        const delay = Math.min(b.max, b.base * 2 ** Math.min(this.failures - 1, 16));
        this.o.log.warn({ path: this.o.path, err: err instanceof Error ? err.message : String(err), retryInMs: delay }, 'list/watch failed; retrying');
        await this.sleep(delay);
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.o.list();
    const fresh = new Map<string, T>();
    for (const item of list.items) fresh.set(keyOf(item), item);
    for (const [k, old] of this.objects) {
      if (!fresh.has(k)) {
        this.objects.delete(k);
        this.emit('delete', old);
      }
    }
    for (const [k, obj] of fresh) this.upsert(k, obj);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    if (!this.resourceVersion) throw new Error(`list of ${this.o.path} has no resourceVersion`);
    this.failures = 0;
    if (!this.synced) {
      this.synced = true;
      for (const h of this.handlers.synced) h();
    }
  }

  /** One watch request, until it ends: how it ended. */
  private watchOnce(): Promise<{ outcome: 'gone' | 'closed' | 'timeout' | 'error'; events: number }> {
    return new Promise((resolve) => {
      let gone = false;
      let failed = false;
      let events = 0;
      const started = Date.now();
      const query: Record<string, string | number | boolean> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true };
      if (this.o.labelSelector) query.labelSelector = this.o.labelSelector;
      if (this.o.timeoutSeconds) query.timeoutSeconds = this.o.timeoutSeconds;
      const onEvent = (type: string, obj: T & { code?: number; metadata?: { resourceVersion?: string } }) => {
        events++;
        if (type === 'ERROR') {
          if (obj?.code === 410) gone = true;
          else failed = true;
          return;
        }
        const rv = obj?.metadata?.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.upsert(keyOf(obj), obj);
        else if (type === 'DELETED') {
          const k = keyOf(obj);
          const old = this.objects.get(k);
          this.objects.delete(k);
          this.emit('delete', old ?? obj);
        } else if (type !== 'BOOKMARK') return;
        if (rv) this.resourceVersion = rv;
        this.failures = 0;
      };
      const onDone = (err: unknown) => {
        this.abort = undefined;
        const end = (outcome: 'gone' | 'closed' | 'timeout' | 'error') => resolve({ outcome, events });
        if (gone || statusOf(err) === 410) return end('gone');
        if (err && (err as { name?: string }).name === 'TimeoutError') return end('timeout');
        if (err || failed) return end('error');
        // A watch the server closed at once, with nothing in it, counts as a failure (no tight loop).
        end(events === 0 && Date.now() - started < 1000 ? 'error' : 'closed');
      };
      this.o.watch.watch(this.o.path, query, onEvent, onDone).then(
        (ctl) => {
          this.abort = ctl;
          if (!this.running) ctl.abort();
        },
        (err) => onDone(err ?? new Error('watch failed')),
      );
    });
  }

  private upsert(k: string, obj: T): void {
    const old = this.objects.get(k);
    this.objects.set(k, obj);
    if (!old) this.emit('add', obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj);
  }

  private emit(event: 'add' | 'update' | 'delete', obj: T): void {
    for (const h of this.handlers[event]) {
      try {
        h(obj);
      } catch (err) {
        this.o.log.error({ err: String(err), event }, 'informer handler failed');
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

function keyOf(obj: KubernetesObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}
