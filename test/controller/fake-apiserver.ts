// A local stand-in for the Kubernetes API server, for the controller's tests: no API server binary
// runs on this machine (../../docs/controller.md says what this proves and what it does not).
//
// It serves the resources the controller uses, and checks each request against the API contract
// as the real server would, answering as it does:
// - paths (core /api/v1 and /apis/GROUP/VERSION, namespaced, subresources /status and /scale),
//   verbs, and the query parameters each verb accepts (watch, resourceVersion,
//   allowWatchBookmarks, timeoutSeconds, labelSelector, fieldManager, ...);
// - bearer-token authentication (401) and RBAC: a request the controller's exported `rbacRules`
//   do not allow is refused (403), as it would be under the Role packaging generates from them;
// - request content types: POST and PUT bodies are JSON; PATCH is one of json-patch,
//   merge-patch, strategic-merge-patch (not for custom resources: 415) or apply-patch (needs
//   fieldManager); bodies are parsed and applied with each type's semantics;
// - object rules: metadata.resourceVersion required on update and checked (409 Conflict), names
//   and namespaces matching the URL, create of an existing object (409 AlreadyExists), Lease
//   MicroTime format, Event fields, pod-deletion-cost an int32, custom resources checked against
//   the CRD's OpenAPI schema (fields the real server would prune are reported);
// - watches: a stream of JSON lines from the given resourceVersion, BOOKMARK events when asked,
//   server-side timeouts, 410 Gone for a compacted resourceVersion (as an ERROR event in a 200
//   stream, or as an HTTP 410: servers do both), and dropped connections on demand.
// Everything the controller should never do is also recorded in `violations`, which every test
// expects to be empty.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { connectionScalerCrd, rbacRules, POD_DELETION_COST } from '../../controllers/room-reaper/src/crd.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** Backed by a CRD: no strategic merge patch, schema from the CRD. */
  custom?: boolean;
  subresources: string[];
}

const RESOURCES: ResourceDef[] = [
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', subresources: ['status'] },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', subresources: [] },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', subresources: ['scale', 'status'] },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', subresources: ['status'] },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', subresources: [] },
  { group: 'gambit.dev', version: 'v1alpha1', plural: 'connectionscalers', kind: 'ConnectionScaler', custom: true, subresources: ['status'] },
];

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

/** Query parameters each verb accepts (from the API reference). */
const PARAMS: Record<string, string[]> = {
  get: ['pretty', 'resourceVersion'],
  list: ['pretty', 'allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'],
  create: ['pretty', 'dryRun', 'fieldManager', 'fieldValidation'],
  update: ['pretty', 'dryRun', 'fieldManager', 'fieldValidation'],
  patch: ['pretty', 'dryRun', 'fieldManager', 'fieldValidation', 'force'],
  delete: ['pretty', 'dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'],
};

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  verb: string;
  resource: string;
  token: string;
  body: unknown;
  status: number;
}

interface Watcher {
  res: ServerResponse;
  def: ResourceDef;
  namespace: string;
  selector: Selector;
  bookmarks: boolean;
  token: string;
  timer?: NodeJS.Timeout;
}

interface HistoryEntry { rv: number; def: ResourceDef; namespace: string; type: string; obj: Obj }

class HttpError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

export class FakeApiServer {
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  /** How a too-old resourceVersion is refused on a watch: an ERROR event in a 200 stream, or an HTTP 410. */
  goneMode: 'event' | 'status' = 'event';
  private rv = 1000;
  private compactedRv = 0;
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly tokens = new Set<string>();
  private readonly outages = new Map<string, number>();
  private failing: ((r: { verb: string; resource: string; token: string }) => number | null) | null = null;

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<FakeApiServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const api = new FakeApiServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void api.handle(req, res));
    return api;
  }

  /** A kubeconfig for one client of this server, with its own bearer token. */
  kubeConfig(token = `token-${randomBytes(4).toString('hex')}`): KubeConfig {
    this.tokens.add(token);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'controller', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'controller', namespace: 'gambit' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** Requests with this token get 503 (the API server unreachable for one client) until `restore`. */
  cutOff(token: string): void {
    this.outages.set(token, 503);
  }

  restore(token: string): void {
    this.outages.delete(token);
  }

  /** Fails matching requests with the returned status (null: serve it). */
  failWhen(pred: ((r: { verb: string; resource: string; token: string }) => number | null) | null): void {
    this.failing = pred;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- state, as a test (or a kubelet, or kubectl) changes it --------------------------------

  currentResourceVersion(): string {
    return String(this.rv);
  }

  object(plural: string, namespace: string, name: string): Obj | undefined {
    const o = this.bucket(this.def(plural)).get(`${namespace}/${name}`);
    return o && structuredClone(o);
  }

  objects(plural: string, namespace: string): Obj[] {
    return [...this.bucket(this.def(plural)).values()].filter((o) => o.metadata.namespace === namespace).map((o) => structuredClone(o));
  }

  /** Creates or replaces an object directly (no admission checks), with the watch event it causes. */
  put(plural: string, namespace: string, obj: Obj): Obj {
    const def = this.def(plural);
    const key = `${namespace}/${obj.metadata.name}`;
    const old = this.bucket(def).get(key);
    const next = structuredClone(obj);
    next.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    next.kind = def.kind;
    next.metadata = { ...next.metadata, namespace, uid: old?.metadata.uid ?? next.metadata.uid ?? randomUUID(), creationTimestamp: old?.metadata.creationTimestamp ?? next.metadata.creationTimestamp ?? isoSeconds() };
    next.metadata.generation = old ? (old.metadata.generation ?? 1) + (JSON.stringify(old.spec) === JSON.stringify(next.spec) ? 0 : 1) : 1;
    return this.commit(def, namespace, key, next, old ? 'MODIFIED' : 'ADDED');
  }

  remove(plural: string, namespace: string, name: string): void {
    const def = this.def(plural);
    const key = `${namespace}/${name}`;
    const old = this.bucket(def).get(key);
    if (!old) return;
    this.bucket(def).delete(key);
    this.rv++;
    const gone = { ...structuredClone(old), metadata: { ...old.metadata, resourceVersion: String(this.rv) } };
    this.emit(def, namespace, 'DELETED', gone);
  }

  /** Forgets the watch history: a watch from any resourceVersion seen so far gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
  }

  /** Ends every open watch: `drop` cuts the connection, otherwise the server ends the stream cleanly. */
  endWatches(how: 'drop' | 'end' = 'drop'): void {
    for (const w of this.watchers) {
      clearTimeout(w.timer);
      if (how === 'drop') w.res.socket?.destroy();
      else w.res.end();
    }
    this.watchers.clear();
  }

  /** Sends a BOOKMARK (the current resourceVersion) on every watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.send(w, 'BOOKMARK', { kind: w.def.kind, apiVersion: apiVersionOf(w.def), metadata: { resourceVersion: String(this.rv) } });
    }
  }

  openWatches(): number {
    return this.watchers.size;
  }

  /** The requests matching a filter, for assertions on what the controller sent. */
  sent(filter: Partial<Pick<RecordedRequest, 'verb' | 'resource' | 'method'>> & { path?: RegExp }): RecordedRequest[] {
    return this.requests.filter((r) =>
      (!filter.verb || r.verb === filter.verb) && (!filter.resource || r.resource === filter.resource) &&
      (!filter.method || r.method === filter.method) && (!filter.path || filter.path.test(r.path)));
  }

  // ---- the HTTP side ------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const raw = await readBody(req);
    const rec: RecordedRequest = {
      method: req.method ?? '', path: url.pathname, query, contentType: String(req.headers['content-type'] ?? ''), verb: '', resource: '',
      token: (/^Bearer (.+)$/.exec(String(req.headers.authorization ?? '')) ?? [])[1] ?? '', body: raw || undefined, status: 0,
    };
    this.requests.push(rec);
    try {
      const status = await this.serve(req, res, url, rec, raw);
      rec.status = status;
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', String(err));
      rec.status = e.code;
      if (!res.headersSent) this.status(res, e.code, e.reason, e.message);
      else res.end();
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, rec: RecordedRequest, raw: string): Promise<number> {
    if (!rec.token || !this.tokens.has(rec.token)) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
    const outage = this.outages.get(rec.token);
    if (outage) throw new HttpError(outage, 'ServiceUnavailable', 'the server is currently unable to handle the request');

    const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(url.pathname) ??
      /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return this.refuse(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`, true);
    const core = url.pathname.startsWith('/api/');
    const [group, version, namespace, plural, name, sub] = core ? ['', 'v1', m[1]!, m[2]!, m[3], m[4]] : [m[1]!, m[2]!, m[3]!, m[4]!, m[5], m[6]];
    const def = RESOURCES.find((d) => d.group === group && d.version === version && d.plural === plural);
    if (!def) return this.refuse(404, 'NotFound', `the server could not find the requested resource (${group}/${version} ${plural})`, true);
    if (sub && !def.subresources.includes(sub)) return this.refuse(404, 'NotFound', `${plural} has no subresource ${sub}`, true);

    const q = rec.query;
    const watch = q.watch === 'true' || q.watch === '1';
    const verb = ({ GET: name ? 'get' : watch ? 'watch' : 'list', POST: name ? '' : 'create', PUT: name ? 'update' : '', PATCH: name ? 'patch' : '', DELETE: name ? 'delete' : 'deletecollection' } as Record<string, string>)[req.method ?? ''] ?? '';
    rec.verb = verb;
    rec.resource = `${group || 'core'}/${plural}${sub ? `/${sub}` : ''}`;
    if (!verb) return this.refuse(405, 'MethodNotAllowed', `${req.method} is not supported on ${url.pathname}`, true);

    this.checkParams(verb, q);
    const rbacResource = sub ? `${plural}/${sub}` : plural;
    if (!rbacRules.some((r) => r.apiGroups.includes(group) && r.resources.includes(rbacResource) && r.verbs.includes(verb === 'watch' ? 'watch' : verb))) {
      this.violations.push(`RBAC: ${verb} ${group || 'core'}/${rbacResource} is not in rbacRules`);
      throw new HttpError(403, 'Forbidden', `${plural} is forbidden: User "system:serviceaccount:gambit:room-reaper" cannot ${verb} resource "${rbacResource}" in API group "${group}" in the namespace "${namespace}"`);
    }
    const failure = this.failing?.({ verb, resource: rec.resource, token: rec.token });
    if (failure) throw new HttpError(failure, failure === 410 ? 'Expired' : 'InternalError', 'injected failure');

    const selector = parseSelector(q.labelSelector ?? '');
    if (verb === 'watch') return this.watch(res, def, namespace, q, selector, rec.token);
    if (verb === 'list') return this.json(res, 200, this.list(def, namespace, selector));
    const key = `${namespace}/${name}`;
    const current = this.bucket(def).get(key);
    if (verb === 'get') {
      if (!current) throw notFound(def, name!);
      return this.json(res, 200, sub === 'scale' ? scaleOf(current) : current);
    }
    if (verb === 'create') return this.json(res, 201, this.create(def, namespace, this.jsonBody(rec, raw)));
    if (verb === 'update') return this.json(res, 200, this.update(def, namespace, name!, sub, this.jsonBody(rec, raw)));
    if (verb === 'patch') return this.json(res, 200, this.patch(def, namespace, name!, sub, rec, raw));
    return this.refuse(405, 'MethodNotAllowed', `${verb} is not implemented by the test server`, true);
  }

  private checkParams(verb: string, q: Record<string, string>): void {
    const allowed = PARAMS[verb === 'watch' ? 'list' : verb] ?? [];
    for (const k of Object.keys(q)) if (!allowed.includes(k)) this.violation(`query parameter ${k} is not accepted by ${verb}`);
    if (verb === 'list' && 'allowWatchBookmarks' in q) this.violation('allowWatchBookmarks on a list that is not a watch');
    if (verb === 'watch') {
      if (q.resourceVersionMatch) throw new HttpError(400, 'BadRequest', 'resourceVersionMatch is forbidden for watch');
      if (!q.resourceVersion) this.violation('watch without resourceVersion: an informer must resume from the resourceVersion of its list or last event');
      if (q.allowWatchBookmarks !== undefined && !['true', 'false'].includes(q.allowWatchBookmarks)) throw new HttpError(400, 'BadRequest', 'allowWatchBookmarks must be a boolean');
    }
    if (q.timeoutSeconds !== undefined && !/^\d+$/.test(q.timeoutSeconds)) throw new HttpError(400, 'BadRequest', 'timeoutSeconds must be an integer');
    if (q.fieldManager !== undefined && (q.fieldManager.length === 0 || q.fieldManager.length > 128)) throw new HttpError(422, 'Invalid', 'fieldManager must be 1-128 characters');
    if (q.labelSelector !== undefined) parseSelector(q.labelSelector); // throws 400 on bad syntax
  }

  private list(def: ResourceDef, namespace: string, selector: Selector): Obj {
    const items = [...this.bucket(def).values()].filter((o) => o.metadata.namespace === namespace && selector(o.metadata.labels ?? {}));
    return { apiVersion: apiVersionOf(def), kind: `${def.kind}List`, metadata: { resourceVersion: String(this.rv) }, items: structuredClone(items) };
  }

  private watch(res: ServerResponse, def: ResourceDef, namespace: string, q: Record<string, string>, selector: Selector, token: string): number {
    const from = q.resourceVersion ?? '';
    if (from && from !== '0' && (!/^\d+$/.test(from) || Number(from) < this.compactedRv)) {
      const message = `too old resource version: ${from} (${this.compactedRv})`;
      if (this.goneMode === 'status') throw new HttpError(410, 'Expired', message);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } }) + '\n');
      return 200;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { res, def, namespace, selector, bookmarks: q.allowWatchBookmarks === 'true', token };
    this.watchers.add(w);
    res.on('close', () => {
      clearTimeout(w.timer);
      this.watchers.delete(w);
    });
    if (q.timeoutSeconds) w.timer = setTimeout(() => res.end(), Number(q.timeoutSeconds) * 1000);
    if (!from || from === '0') {
      for (const o of this.bucket(def).values()) if (o.metadata.namespace === namespace && selector(o.metadata.labels ?? {})) this.send(w, 'ADDED', o);
    } else {
      for (const h of this.history) if (h.rv > Number(from) && h.def === def && h.namespace === namespace && selector(h.obj.metadata.labels ?? {})) this.send(w, h.type, h.obj);
    }
    return 200;
  }

  private create(def: ResourceDef, namespace: string, body: Obj): Obj {
    this.checkKind(def, body);
    const meta = body.metadata ?? {};
    if (meta.namespace && meta.namespace !== namespace) throw new HttpError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    let name: string = meta.name;
    if (!name && meta.generateName) name = `${meta.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (!name) throw invalid(def, '', 'metadata.name: Required value: name or generateName is required');
    if (meta.resourceVersion) throw invalid(def, name, 'metadata.resourceVersion: Invalid value: must be empty on create');
    const key = `${namespace}/${name}`;
    if (this.bucket(def).has(key)) throw new HttpError(409, 'AlreadyExists', `${def.plural}.${def.group || 'core'} "${name}" already exists`);
    const obj = { ...body, metadata: { ...meta, name, namespace, uid: randomUUID(), creationTimestamp: isoSeconds(), generation: 1 } };
    delete obj.metadata.generateName;
    this.validate(def, obj, namespace);
    return this.commit(def, namespace, key, obj, 'ADDED');
  }

  private update(def: ResourceDef, namespace: string, name: string, sub: string | undefined, body: Obj): Obj {
    if (sub) throw new HttpError(405, 'MethodNotAllowed', 'the test server does not implement PUT on subresources');
    this.checkKind(def, body);
    const key = `${namespace}/${name}`;
    const current = this.bucket(def).get(key);
    if (!current) throw notFound(def, name);
    const meta = body.metadata ?? {};
    if (meta.name !== name) throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    if (meta.namespace && meta.namespace !== namespace) throw new HttpError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    // Leases (as most kinds) refuse unconditional updates: the writer must say which version it read.
    if (!meta.resourceVersion) throw invalid(def, name, 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    if (meta.resourceVersion !== current.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${def.plural}.${def.group || 'core'} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const next: Obj = { ...body, metadata: { ...current.metadata, labels: meta.labels, annotations: meta.annotations } };
    if (JSON.stringify(current.spec) !== JSON.stringify(next.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    this.validate(def, next, namespace);
    return this.commit(def, namespace, key, next, 'MODIFIED');
  }

  private patch(def: ResourceDef, namespace: string, name: string, sub: string | undefined, rec: RecordedRequest, raw: string): Obj {
    const type = rec.contentType.split(';')[0]!.trim();
    if (![JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY].includes(type) || (def.custom && type === STRATEGIC)) {
      const accepted = def.custom ? [JSON_PATCH, MERGE_PATCH, APPLY] : [JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY];
      this.violation(`PATCH ${rec.path} with Content-Type ${rec.contentType || '(none)'}`);
      throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
    }
    if (type === APPLY && !rec.query.fieldManager) throw invalid(def, name, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    let patch: unknown;
    try {
      patch = JSON.parse(raw); // YAML is a superset of JSON; the controller sends JSON
    } catch {
      throw new HttpError(400, 'BadRequest', `the body of the request could not be parsed as ${type}`);
    }
    const key = `${namespace}/${name}`;
    const current = this.bucket(def).get(key);
    if (!current) throw notFound(def, name);
    const target = sub === 'scale' ? scaleOf(current) : structuredClone(current);
    let patched: Obj;
    if (type === JSON_PATCH) {
      if (!Array.isArray(patch)) throw new HttpError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type []jsonpatch.Operation');
      patched = applyJsonPatch(target, patch);
    } else {
      if (!isObj(patch)) throw new HttpError(400, 'BadRequest', `${type} body must be a JSON object`);
      if (type === APPLY && (!patch.apiVersion || !patch.kind)) throw new HttpError(400, 'BadRequest', 'apply patch must name apiVersion and kind');
      // Strategic merge equals merge patch for the maps the controller patches (annotations, spec).
      patched = mergePatch(target, patch) as Obj;
    }
    if (patched.metadata?.resourceVersion && patched.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${def.plural} "${name}": the object has been modified`);
    }
    let next: Obj;
    if (sub === 'scale') {
      const replicas = patched.spec?.replicas;
      if (!Number.isInteger(replicas) || replicas < 0) throw invalid(def, name, `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
      next = structuredClone(current);
      next.spec.replicas = replicas;
      if (next.spec.replicas !== current.spec.replicas) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
      this.commit(def, namespace, key, next, 'MODIFIED');
      return scaleOf(this.bucket(def).get(key)!);
    }
    if (sub === 'status') {
      // The status subresource changes only .status.
      next = { ...structuredClone(current), status: patched.status };
    } else {
      next = { ...patched, metadata: { ...current.metadata, labels: patched.metadata?.labels, annotations: patched.metadata?.annotations } };
      if (def.subresources.includes('status')) next.status = current.status; // the main resource ignores .status
      if (JSON.stringify(current.spec) !== JSON.stringify(next.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    this.validate(def, next, namespace, sub === 'status' ? 'status' : undefined);
    return this.commit(def, namespace, key, next, 'MODIFIED');
  }

  /** `only: 'status'`: a status subresource write, where the API server checks the status alone. */
  private validate(def: ResourceDef, obj: Obj, namespace: string, only?: 'status'): void {
    const errors: string[] = [];
    const meta = obj.metadata ?? {};
    for (const [k, v] of Object.entries(meta.annotations ?? {})) if (typeof v !== 'string') errors.push(`metadata.annotations[${k}]: must be a string`);
    for (const [k, v] of Object.entries(meta.labels ?? {})) if (typeof v !== 'string') errors.push(`metadata.labels[${k}]: must be a string`);
    if (def.plural === 'pods') {
      const cost = meta.annotations?.[POD_DELETION_COST];
      if (cost !== undefined && !(/^-?\d+$/.test(cost) && Math.abs(Number(cost)) <= 2_147_483_647)) errors.push(`metadata.annotations[${POD_DELETION_COST}]: Invalid value: "${cost}": must be a 32bit integer`);
    }
    if (def.plural === 'leases') {
      const s = obj.spec ?? {};
      if (s.holderIdentity !== undefined && typeof s.holderIdentity !== 'string') errors.push('spec.holderIdentity: must be a string');
      if (s.leaseDurationSeconds !== undefined && !(Number.isInteger(s.leaseDurationSeconds) && s.leaseDurationSeconds > 0)) errors.push('spec.leaseDurationSeconds: must be greater than 0');
      if (s.leaseTransitions !== undefined && !(Number.isInteger(s.leaseTransitions) && s.leaseTransitions >= 0)) errors.push('spec.leaseTransitions: must be greater than or equal to 0');
      for (const f of ['acquireTime', 'renewTime']) {
        if (s[f] !== undefined && s[f] !== null && !(typeof s[f] === 'string' && MICRO_TIME.test(s[f]))) errors.push(`spec.${f}: Invalid value: "${s[f]}": MicroTime needs RFC 3339 with 6 fractional digits`);
      }
    }
    if (def.plural === 'events') {
      const io = obj.involvedObject ?? {};
      if (io.namespace !== namespace) errors.push('involvedObject.namespace: Invalid value: does not match event.namespace');
      if (!io.kind || !io.name) errors.push('involvedObject: kind and name are required');
      if (!['Normal', 'Warning'].includes(obj.type)) errors.push(`type: Unsupported value: ${JSON.stringify(obj.type)}`);
      if (!obj.reason || String(obj.reason).length > 128) errors.push('reason: Required value (at most 128 characters)');
      if (obj.message !== undefined && String(obj.message).length > 1024) this.violation('event message longer than 1024 characters (truncated by the API server)');
      for (const f of ['firstTimestamp', 'lastTimestamp']) if (obj[f] !== undefined && !(typeof obj[f] === 'string' && TIME.test(obj[f]))) errors.push(`${f}: not an RFC 3339 time`);
      if (obj.source?.component === undefined) this.violation('event without source.component');
    }
    if (def.custom) {
      const schema = connectionScalerCrd.spec.versions[0]!.schema.openAPIV3Schema as Obj;
      const r = only === 'status' ? checkSchema(schema.properties.status, obj.status, '.status') : checkSchema(schema, obj, '');
      errors.push(...r.errors);
      for (const p of r.pruned) this.violation(`${def.kind} field ${p} is not in the CRD schema: the API server would prune it`);
    }
    if (errors.length) throw invalid(def, meta.name ?? '', errors.join('; '));
  }

  private checkKind(def: ResourceDef, body: Obj): void {
    if (!isObj(body)) throw new HttpError(400, 'BadRequest', 'body must be a JSON object');
    if (body.kind !== undefined && body.kind !== def.kind) throw new HttpError(400, 'BadRequest', `kind ${body.kind} does not match ${def.kind}`);
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(def)) throw new HttpError(400, 'BadRequest', `apiVersion ${body.apiVersion} does not match ${apiVersionOf(def)}`);
  }

  private jsonBody(rec: RecordedRequest, raw: string): Obj {
    const type = rec.contentType.split(';')[0]!.trim();
    if (type !== 'application/json') {
      this.violation(`${rec.method} ${rec.path} with Content-Type ${rec.contentType || '(none)'}`);
      throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
    }
    try {
      return JSON.parse(raw) as Obj;
    } catch {
      throw new HttpError(400, 'BadRequest', 'the body of the request is not valid JSON');
    }
  }

  private commit(def: ResourceDef, namespace: string, key: string, obj: Obj, type: 'ADDED' | 'MODIFIED'): Obj {
    this.rv++;
    const stored: Obj = { ...structuredClone(obj), apiVersion: apiVersionOf(def), kind: def.kind };
    stored.metadata.resourceVersion = String(this.rv);
    this.bucket(def).set(key, stored);
    this.emit(def, namespace, type, stored);
    return structuredClone(stored);
  }

  private emit(def: ResourceDef, namespace: string, type: string, obj: Obj): void {
    this.history.push({ rv: this.rv, def, namespace, type, obj: structuredClone(obj) });
    for (const w of this.watchers) {
      if (w.def === def && w.namespace === namespace && w.selector(obj.metadata.labels ?? {})) this.send(w, type, obj);
    }
  }

  private send(w: Watcher, type: string, obj: Obj): void {
    if (!w.res.writableEnded && !w.res.destroyed) w.res.write(JSON.stringify({ type, object: obj }) + '\n');
  }

  private bucket(def: ResourceDef): Map<string, Obj> {
    let b = this.store.get(def.plural);
    if (!b) this.store.set(def.plural, (b = new Map()));
    return b;
  }

  private def(plural: string): ResourceDef {
    const d = RESOURCES.find((r) => r.plural === plural);
    if (!d) throw new Error(`unknown resource ${plural}`);
    return d;
  }

  private violation(v: string): void {
    this.violations.push(v);
  }

  private refuse(code: number, reason: string, message: string, isViolation: boolean): never {
    if (isViolation) this.violation(`${code} ${message}`);
    throw new HttpError(code, reason, message);
  }

  private json(res: ServerResponse, code: number, body: unknown): number {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return code;
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }
}

// ---- helpers ----------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const apiVersionOf = (def: ResourceDef) => (def.group ? `${def.group}/${def.version}` : def.version);
const isoSeconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const notFound = (def: ResourceDef, name: string) => new HttpError(404, 'NotFound', `${def.plural}.${def.group || 'core'} "${name}" not found`);
const invalid = (def: ResourceDef, name: string, message: string) => new HttpError(422, 'Invalid', `${def.kind} "${name}" is invalid: ${message}`);

/** The autoscaling/v1 Scale of a Deployment, as GET and PATCH /scale return it. */
function scaleOf(d: Obj): Obj {
  const labels: Record<string, string> = d.spec?.selector?.matchLabels ?? {};
  return {
    apiVersion: 'autoscaling/v1', kind: 'Scale',
    metadata: { name: d.metadata.name, namespace: d.metadata.namespace, uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
    spec: { replicas: d.spec?.replicas ?? 0 },
    status: { replicas: d.status?.replicas ?? 0, selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') },
  };
}

type Selector = (labels: Record<string, string>) => boolean;

/** Equality- and set-based label selectors (k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b)). */
function parseSelector(s: string): Selector {
  const terms: Selector[] = [];
  for (const part of s.match(/([^,(]+(\([^)]*\))?)/g) ?? []) {
    const t = part.trim();
    if (!t) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(t))) {
      const [, k, op, v] = m;
      terms.push(op === '!=' ? (l) => l[k!] !== v : (l) => l[k!] === v);
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const [, k, op, vs] = m;
      const set = new Set(vs!.split(',').map((x) => x.trim()));
      terms.push(op === 'in' ? (l) => l[k!] !== undefined && set.has(l[k!]!) : (l) => l[k!] === undefined || !set.has(l[k!]!));
    } else if ((m = /^(!?)([\w./-]+)$/.exec(t))) {
      const [, not, k] = m;
      terms.push(not ? (l) => !(k! in l) : (l) => k! in l);
    } else {
      throw new HttpError(400, 'BadRequest', `unable to parse requirement: ${t}`);
    }
  }
  return (l) => terms.every((f) => f(l));
}

/** RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 (add, remove, replace, test). */
function applyJsonPatch(doc: Obj, ops: unknown[]): Obj {
  const out = structuredClone(doc);
  for (const raw of ops) {
    if (!isObj(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string' || !raw.path.startsWith('/')) {
      throw new HttpError(422, 'Invalid', `invalid JSON patch operation ${JSON.stringify(raw)}`);
    }
    const parts = raw.path.slice(1).split('/').map((p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let parent: Obj = out;
    for (const p of parts) {
      if (!isObj(parent[p]) && !Array.isArray(parent[p])) throw new HttpError(422, 'Invalid', `doc is missing path: ${raw.path}`);
      parent = parent[p];
    }
    if (raw.op === 'add' || raw.op === 'replace') {
      if (raw.op === 'replace' && !(last in parent)) throw new HttpError(422, 'Invalid', `replace operation does not apply: doc is missing key: ${raw.path}`);
      parent[last] = raw.value;
    } else if (raw.op === 'remove') {
      if (!(last in parent)) throw new HttpError(422, 'Invalid', `remove operation does not apply: doc is missing path: ${raw.path}`);
      delete parent[last];
    } else if (raw.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(raw.value)) throw new HttpError(422, 'Invalid', `testing value ${raw.path} failed`);
    } else {
      throw new HttpError(422, 'Invalid', `unsupported JSON patch operation ${raw.op}`);
    }
  }
  return out;
}

/** The subset of OpenAPI v3 a structural CRD schema uses; unknown fields are what the server prunes. */
function checkSchema(schema: Obj, value: unknown, path: string): { errors: string[]; pruned: string[] } {
  const errors: string[] = [];
  const pruned: string[] = [];
  const walk = (s: Obj, v: unknown, p: string) => {
    if (v === undefined || v === null) return;
    const here = p || '<root>';
    switch (s.type) {
      case 'object':
        if (!isObj(v)) return void errors.push(`${here}: must be an object`);
        if (p === '.metadata') return; // metadata is the API server's own
        for (const r of s.required ?? []) if (v[r] === undefined) errors.push(`${p}.${r}: Required value`);
        if (s.properties) {
          for (const [k, sub] of Object.entries(v)) {
            if (s.properties[k]) walk(s.properties[k], sub, `${p}.${k}`);
            else if (!s['x-kubernetes-preserve-unknown-fields']) pruned.push(`${p}.${k}`);
          }
        }
        return;
      case 'array':
        if (!Array.isArray(v)) return void errors.push(`${here}: must be an array`);
        v.forEach((x, i) => walk(s.items ?? {}, x, `${p}[${i}]`));
        return;
      case 'string':
        if (typeof v !== 'string') return void errors.push(`${here}: must be a string`);
        if (s.enum && !s.enum.includes(v)) errors.push(`${here}: Unsupported value: ${JSON.stringify(v)}`);
        if (s.minLength !== undefined && v.length < s.minLength) errors.push(`${here}: too short`);
        if (s.maxLength !== undefined && v.length > s.maxLength) errors.push(`${here}: too long`);
        if (s.format === 'date-time' && !TIME.test(v)) errors.push(`${here}: must be a date-time`);
        return;
      case 'integer':
      case 'number':
        if (typeof v !== 'number' || (s.type === 'integer' && !Number.isInteger(v))) return void errors.push(`${here}: must be of type ${s.type}`);
        if (s.minimum !== undefined && v < s.minimum) errors.push(`${here}: must be greater than or equal to ${s.minimum}`);
        if (s.maximum !== undefined && v > s.maximum) errors.push(`${here}: must be less than or equal to ${s.maximum}`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') errors.push(`${here}: must be a boolean`);
        return;
    }
  };
  walk(schema, value, path);
  return { errors, pruned };
}
