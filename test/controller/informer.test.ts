// The pod informer against the test API server: it lists, then watches from the list's
// resourceVersion with bookmarks; it survives dropped and ended watches without listing again,
// re-lists after 410 Gone (both forms) and reports what disappeared meanwhile, and backs off on
// errors without ever giving up.
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { Informer } from '../../controllers/room-reaper/src/kube/informer.js';
import { PodTracker } from '../../controllers/room-reaper/src/kube/pods.js';
import { waitFor } from '../support/redis.js';
import { FakeApiServer } from './fake-apiserver.js';
import { NS, gatewayPod, log } from './support.js';

let api: FakeApiServer;
const stops: (() => Promise<void>)[] = [];
beforeAll(async () => { api = await FakeApiServer.start(); });
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
  api.failWhen(null);
  api.goneMode = 'event';
  for (const p of api.objects('pods', NS)) api.remove('pods', NS, p.metadata.name);
  expect(api.violations).toEqual([]);
});
afterAll(async () => { await api?.close(); });

function informer(selector = 'app.kubernetes.io/component=gateway') {
  const kc = api.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const events: string[] = [];
  const restarts: string[] = [];
  const inf = new Informer<V1Pod>({
    path: `/api/v1/namespaces/${NS}/pods`,
    list: () => core.listNamespacedPod({ namespace: NS, labelSelector: selector }),
    watch: new Watch(kc), labelSelector: selector, log, timeoutSeconds: 300,
    backoffMs: { base: 20, max: 200 },
    onRestart: (r) => restarts.push(r),
  });
  for (const e of ['add', 'update', 'delete'] as const) inf.on(e, (p) => events.push(`${e}:${p.metadata?.name}`));
  inf.start();
  stops.push(() => inf.stop());
  return { inf, events, restarts };
}

const names = (inf: Informer<V1Pod>) => inf.list().map((p) => p.metadata!.name).sort();
const watches = () => api.sent({ verb: 'watch', resource: 'core/pods' });
const lists = () => api.sent({ verb: 'list', resource: 'core/pods' });

test('lists, then watches from the list resourceVersion with bookmarks, the selector and a timeout', async () => {
  api.put('pods', NS, gatewayPod('gw-a'));
  api.put('pods', NS, gatewayPod('other', { labels: { app: 'engine' } }));
  const before = watches().length;
  const { inf, events } = informer();
  await waitFor(() => inf.synced && watches().length > before, 5_000, 'informer did not sync');
  expect(names(inf)).toEqual(['gw-a']);
  const w = watches().at(-1)!;
  expect(w.query).toMatchObject({ watch: 'true', allowWatchBookmarks: 'true', labelSelector: 'app.kubernetes.io/component=gateway', resourceVersion: lists().at(-1) && expect.any(String) });
  expect(Number(w.query.timeoutSeconds)).toBeGreaterThan(0);
  expect(w.method).toBe('GET');

  api.put('pods', NS, gatewayPod('gw-b'));
  await waitFor(() => names(inf).includes('gw-b'), 5_000, 'added pod not seen');
  api.remove('pods', NS, 'gw-a');
  await waitFor(() => !names(inf).includes('gw-a'), 5_000, 'deleted pod still cached');
  expect(events).toEqual(['add:gw-a', 'add:gw-b', 'delete:gw-a']);
});

test('a dropped or ended watch resumes from the last resourceVersion (events and bookmarks) without listing again', async () => {
  const { inf, events, restarts } = informer();
  await waitFor(() => inf.synced && api.openWatches() > 0, 5_000, 'not watching');
  const listsBefore = lists().length;

  api.put('pods', NS, gatewayPod('gw-c'));
  await waitFor(() => names(inf).includes('gw-c'), 5_000, 'pod not seen');
  const seen = inf.latestResourceVersion();
  api.endWatches('drop');
  // While nobody watches, a pod goes: the resumed watch replays it.
  api.remove('pods', NS, 'gw-c');
  await waitFor(() => !names(inf).includes('gw-c'), 5_000, 'deletion during the gap not replayed');
  const resumed = watches().find((w) => w.query.resourceVersion === seen);
  expect(resumed).toBeDefined();
  expect(restarts).toContain('error');

  // A bookmark moves the resourceVersion without an object; the next watch starts there.
  await waitFor(() => api.openWatches() > 0, 5_000, 'not watching again');
  api.put('pods', NS, gatewayPod('unrelated', { labels: { app: 'engine' } }));
  api.bookmark();
  const bookmarked = api.currentResourceVersion();
  await waitFor(() => inf.latestResourceVersion() === bookmarked, 5_000, 'bookmark not taken');
  api.endWatches('end');
  await waitFor(() => watches().some((w) => w.query.resourceVersion === bookmarked), 5_000, 'no watch from the bookmark');
  expect(restarts).toContain('closed');
  expect(lists().length).toBe(listsBefore);
  expect(events).toEqual(['add:gw-c', 'delete:gw-c']);
});

for (const mode of ['event', 'status'] as const) {
  test(`410 Gone (${mode === 'event' ? 'an ERROR event in the stream' : 'HTTP 410'}): lists again and reports what disappeared`, async () => {
    api.goneMode = mode;
    api.put('pods', NS, gatewayPod('gw-d'));
    api.put('pods', NS, gatewayPod('gw-e'));
    const { inf, events, restarts } = informer();
    await waitFor(() => inf.synced && names(inf).length === 2 && api.openWatches() > 0, 5_000, 'not synced');
    const listsBefore = lists().length;
    api.endWatches('drop');
    api.remove('pods', NS, 'gw-d');
    api.put('pods', NS, gatewayPod('gw-f'));
    api.compact(); // the history is gone: the informer's resourceVersion is too old now
    await waitFor(() => names(inf).join() === 'gw-e,gw-f', 5_000, `not re-listed: ${names(inf)}`);
    expect(lists().length).toBe(listsBefore + 1);
    expect(restarts).toContain('gone');
    expect(events).toEqual(['add:gw-d', 'add:gw-e', 'delete:gw-d', 'add:gw-f']);
  });
}

test('errors (500 on list and watch, 403 too) back off and recover; the informer never gives up', async () => {
  const codes = [500, 403, 500, 503];
  let failures = 0;
  api.failWhen((r) => (r.resource === 'core/pods' && failures < codes.length ? codes[failures++]! : null));
  api.put('pods', NS, gatewayPod('gw-g'));
  const { inf } = informer();
  await waitFor(() => inf.synced && names(inf).includes('gw-g'), 5_000, 'did not recover from list errors');
  expect(failures).toBeGreaterThanOrEqual(4);
  api.failWhen(null);
  await waitFor(() => api.openWatches() > 0, 5_000, 'not watching');
  let watchFailures = 0;
  api.failWhen((r) => (r.verb === 'watch' && watchFailures++ < 3 ? 503 : null));
  api.endWatches('drop');
  api.remove('pods', NS, 'gw-g');
  await waitFor(() => !names(inf).includes('gw-g'), 5_000, 'did not recover from watch errors');
  expect(watchFailures).toBeGreaterThanOrEqual(3);
});

test('the pod tracker keeps tombstones of deleted pods and says nothing before its first list', async () => {
  api.put('pods', NS, gatewayPod('gw-h'));
  api.put('pods', NS, gatewayPod('gw-i', { phase: 'Failed' }));
  const kc = api.kubeConfig();
  const deleted: string[] = [];
  const tracker = new PodTracker({
    core: kc.makeApiClient(CoreV1Api), watch: new Watch(kc), namespace: NS, labelSelector: 'app.kubernetes.io/component=gateway', container: 'gateway', log,
    onDeleted: (n) => deleted.push(n),
  });
  expect(tracker.view()).toEqual({ known: false });
  tracker.start();
  stops.push(() => tracker.stop());
  await waitFor(() => tracker.synced, 5_000, 'not synced');
  const v1 = tracker.view();
  const started = Date.parse('2026-01-01T00:00:00Z'); // the gateway container's, not the sidecar's
  expect(v1.known && [...v1.pods.entries()].sort()).toEqual([['gw-h', { terminal: false, startedAt: started }], ['gw-i', { terminal: true, startedAt: started }]]);
  expect(tracker.runningPods().map((p) => p.metadata!.name)).toEqual(['gw-h']);
  api.remove('pods', NS, 'gw-h');
  await waitFor(() => deleted.includes('gw-h'), 5_000, 'deletion not reported');
  const v2 = tracker.view();
  expect(v2.known && v2.deleted.has('gw-h')).toBe(true);
  expect(v2.known && v2.pods.has('gw-h')).toBe(false);
});
