// The container images. Always: the Containerfiles follow the rules (multi-stage from a BASE
// argument, production dependencies only, FROM scratch with no shell, a numeric non-root user,
// node as PID 1, OCI labels), scripts/build-images.sh passes each image its stage and arguments
// (checked through --dry-run) and they name what the chart deploys. With GAMBIT_IMAGE_TEST=1 (or
// `make images-test`; root, podman and debootstrap, a few minutes): the gateway image is built
// with podman --isolation=chroot and the service is started from the image's own filesystem.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultValues } from '../../cdk8s/src/values.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { freePort } from '../support/ports.js';
import { root } from './support.js';

// The services share one Containerfile (at the root; an image is a stage of it, chosen with
// --target, plus the workspace it builds as build arguments); the browser client's image has its own
// shape and file. buildAlso: workspaces whose own build script runs after tsc.
const IMAGES = {
  gateway: { workspace: 'services/gateway', port: 8080, buildAlso: '' },
  'game-engine': { workspace: 'services/game-engine', port: 9101, buildAlso: 'packages/rooms' },
  finalizer: { workspace: 'services/finalizer', port: 8082, buildAlso: '' },
  'room-reaper': { workspace: 'controllers/room-reaper', port: 9102, buildAlso: 'packages/rooms' },
  accounts: { workspace: 'services/accounts', port: 8070, buildAlso: '' },
  'id-provider': { workspace: 'services/id-provider', port: 8090, buildAlso: '' },
  web: { workspace: 'web', port: 0, buildAlso: '' },
} as const;
type Name = keyof typeof IMAGES;
const SERVICES = (Object.keys(IMAGES) as Name[]).filter((n) => n !== 'web');
const fileOf = (name: Name) => (name === 'web' ? 'web/Containerfile' : 'Containerfile');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

interface Stage { from: string; name: string; text: string }
/** The stages of a Containerfile, in order: what they are FROM, their name, their text. */
function stages(file: string): Stage[] {
  const text = read(file);
  const heads = [...text.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];
  return heads.map((m, i) => ({ from: m[1]!, name: m[2] ?? '', text: text.slice(m.index, heads[i + 1]?.index ?? text.length) }));
}
/** The text of what an image is made of after its build stages: its stage (the last one without a
 *  target) and the stages it stands on, back to FROM scratch. */
function finalOf(name: Name): string {
  const all = stages(fileOf(name));
  const chain: Stage[] = [];
  for (let s = name === 'web' ? all.at(-1) : all.find((x) => x.name === name); s; s = all.find((x) => x.name === s!.from)) {
    chain.unshift(s);
    if (s.from === 'scratch') break;
  }
  expect(chain[0]?.from).toBe('scratch');
  return chain.map((s) => s.text).join('');
}
const entrypointOf = (text: string) => JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(text)![1]!) as string[];

/** The commands scripts/build-images.sh runs (--dry-run), by image name: argv, the -f file, the
 *  --target and the --build-arg values. */
function buildCommands(...extra: string[]) {
  const out = execFileSync('bash', ['scripts/build-images.sh', '--dry-run', '--tag', 't1', ...extra], {
    cwd: root, encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, CONTAINER_ENGINE: 'podman', BASE: 'localhost/base:1', NODE_EXTRA_CA_CERTS: '' },
  });
  return out.trim().split('\n').map((line) => {
    const argv = line.trim().split(' ');
    const after = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
    const args = Object.fromEntries(argv.flatMap((a, i) => (argv[i - 1] === '--build-arg' ? [[a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]] : [])));
    return { argv, image: after('-t')!, file: after('-f'), target: after('--target'), args: args as Record<string, string> };
  });
}

describe('Containerfiles', () => {
  let commands: ReturnType<typeof buildCommands> = [];
  beforeAll(() => { commands = buildCommands(); });
  const commandOf = (name: Name) => commands.find((c) => c.image === `localhost/gambit/${name}:t1`)!;

  test('one Containerfile for the services: build stages from BASE, one FROM scratch, then a stage per image adding only metadata', () => {
    const all = stages('Containerfile');
    const scratch = all.findIndex((s) => s.from === 'scratch');
    expect(all.filter((s) => s.from === 'scratch')).toHaveLength(1);
    expect(all.slice(0, scratch).every((s) => s.from === '${BASE}')).toBe(true);
    expect(all[scratch]!.name).toBe('service');
    const images = all.slice(scratch + 1);
    expect(images.map((s) => [s.from, s.name])).toEqual(SERVICES.map((n) => ['service', n]));
    // the image stages carry labels, port and command only: the content is the same build for every
    // image but for WORKSPACE and BUILD_ALSO
    for (const s of images) expect(s.text.split('\n').filter((l) => /^[A-Z]+ /.test(l)).map((l) => l.split(' ')[0])).toEqual(['FROM', 'LABEL', 'EXPOSE', 'ENTRYPOINT']);
    // the per-service files are gone
    for (const f of SERVICES.map((n) => IMAGES[n].workspace)) expect({ f, exists: existsSync(join(root, f, 'Containerfile')) }).toEqual({ f, exists: false });
  });

  test.each(Object.entries(IMAGES) as [Name, (typeof IMAGES)[Name]][])('%s: multi-stage from BASE, FROM scratch, non-root, exec-form node entrypoint, OCI labels', (name, spec) => {
    const text = read(fileOf(name));
    const froms = stages(fileOf(name)).map((s) => s.from);
    expect(text).toMatch(/^ARG BASE=docker\.io\/library\/node:24-bookworm-slim$/m);
    expect(froms.slice(0, froms.indexOf('scratch')).every((f) => f === '${BASE}')).toBe(true);
    const final = finalOf(name);
    expect(final).toMatch(/^USER 10001:10001$/m);
    expect(final.match(/^ENTRYPOINT /gm)).toHaveLength(1);
    expect(final).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/node", /m);
    expect(final).not.toMatch(/^RUN /m); // nothing runs in the final stage: it has no shell
    for (const l of ['title', 'description', 'version', 'revision', 'source', 'licenses']) expect(final).toContain(`org.opencontainers.image.${l}=`);
    expect(final).toContain(`org.opencontainers.image.title="gambit-${name}"`);
    expect(text).not.toMatch(/:latest\b/);
    expect(text).not.toMatch(/npm install\b/);
    const cmd = commandOf(name);
    expect(cmd.file).toBe(fileOf(name));
    if (name !== 'web') {
      expect(text).toContain('npm ci --registry="$NPM_REGISTRY" --omit=dev --workspace "$WORKSPACE" ');
      expect(cmd.target).toBe(name);
      expect(cmd.args.WORKSPACE).toBe(spec.workspace);
      const flags = name === 'gateway' ? (JSON.parse(read('services/gateway/node-flags.json')) as string[]) : [];
      expect(entrypointOf(final)).toEqual(['/usr/local/bin/node', '--enable-source-maps', ...flags, `${spec.workspace}/dist/main.js`]);
      expect(final.match(/^EXPOSE .*$/gm)).toEqual([`EXPOSE ${spec.port}`]);
      expect(final).toMatch(/^WORKDIR \/app$/m);
      expect(final).toMatch(/^ENV NODE_ENV=production$/m);
      expect(final).toMatch(/^STOPSIGNAL SIGTERM$/m);
    } else {
      expect(cmd.target).toBeUndefined();
      expect(cmd.args.WORKSPACE).toBeUndefined();
    }
  });

  test('the gateway image starts Node with the flags of services/gateway/node-flags.json (the benchmark and make dev use them too)', () => {
    const flags = JSON.parse(read('services/gateway/node-flags.json')) as string[];
    expect(flags).toContain('--max-semi-space-size=1');
    const entry = entrypointOf(stages('Containerfile').find((s) => s.name === 'gateway')!.text);
    expect(entry.slice(1, -1)).toEqual(['--enable-source-maps', ...flags]);
    expect(read('bench/src/stack.ts')).toContain('services/gateway/node-flags.json');
    expect(read('scripts/dev.js')).toContain('services/gateway/node-flags.json');
  });

  test('each image builds a workspace of the repository, and the rooms package\'s Lua script goes with its dist', () => {
    const top = JSON.parse(read('package.json')) as { workspaces: string[]; scripts: Record<string, string> };
    for (const spec of Object.values(IMAGES)) expect(top.workspaces).toContain(spec.workspace);
    // @gambit/rooms' build copies commit.lua next to its compiled store (room-store.js reads it from there)...
    const rooms = JSON.parse(read('packages/rooms/package.json')) as { scripts: Record<string, string> };
    expect(rooms.scripts.build).toBe('tsc -b && cp src/store/commit.lua dist/store/');
    expect(top.workspaces).toContain('packages/rooms');
    expect(top.scripts.build).toContain('npm run -w packages/rooms build');
    // ...the build stage runs the BUILD_ALSO workspaces' build scripts after compiling, before /out is
    // collected; the npm ci of every dependency comes before the per-image arguments (one cached
    // layer for all images)...
    const build = stages('Containerfile').find((s) => s.name === 'build')!.text;
    expect(build).toContain('RUN if [ -z "$WORKSPACE" ]; then');
    expect(build).toContain(' && npx tsc -b "$WORKSPACE" \\\n && for ws in $BUILD_ALSO; do npm run -w "$ws" build || exit 1; done \\\n && mkdir /out && ');
    expect(build.indexOf('--ignore-scripts')).toBeLessThan(build.indexOf('ARG WORKSPACE'));
    // ...and both images that commit rooms (engine, controller) get it, the others nothing.
    for (const name of SERVICES) expect({ name, also: commandOf(name).args.BUILD_ALSO }).toEqual({ name, also: IMAGES[name].buildAlso });
  });

  test('each service image installs every package its code imports (npm ci --omit=dev --workspace installs only what is declared)', () => {
    type Pkg = { name: string; dependencies?: Record<string, string> };
    const pkgOf = (dir: string) => JSON.parse(read(join(dir, 'package.json'))) as Pkg;
    const top = JSON.parse(read('package.json')) as { workspaces: string[] };
    const byName = new Map(top.workspaces.map((w) => [pkgOf(w).name, w]));
    /** What the install brings: the workspace's dependencies and, through the workspaces it links, theirs. */
    const installed = (dir: string, seen = new Set<string>()): Set<string> => {
      for (const dep of Object.keys(pkgOf(dir).dependencies ?? {})) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        if (byName.has(dep)) installed(byName.get(dep)!, seen);
      }
      return seen;
    };
    const sources = (dir: string): string[] => readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [join(dir, e.name)] : []);
    for (const name of SERVICES) {
      const ws = IMAGES[name].workspace;
      const imports = new Set(sources(join(ws, 'src')).flatMap((f) => [...read(f).matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'/gm)].map((m) => m[1]!))
        .filter((spec) => !spec.startsWith('node:'))
        .map((spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')));
      // the scan sees the imports (the gateway's socket server, the accounts' relying party)
      if (name === 'gateway') expect(imports).toContain('ws');
      if (name === 'accounts') expect(imports).toContain('openid-client');
      const have = installed(ws);
      expect({ image: name, missing: [...imports].filter((p) => !have.has(p)).sort() }).toEqual({ image: name, missing: [] });
    }
  });

  test('the chart deploys the images these files build (REGISTRY/gambit/NAME:TAG)', () => {
    const v = defaultValues();
    const repos = [v.gateway.image, v.engine.image, v.finalizer.image, v.roomReaper.image, v.accounts.image, v.idProvider.image, v.web.image].map((i) => i.repository);
    expect(repos).toEqual(Object.keys(IMAGES).map((n) => `gambit/${n}`));
    expect(v.image.registry).toBe('localhost');
    expect(commands.map((c) => c.image)).toEqual(Object.keys(IMAGES).map((n) => `localhost/gambit/${n}:t1`));
    expect(buildCommands('--registry', 'registry.example/x', 'finalizer').map((c) => c.image)).toEqual(['registry.example/x/gambit/finalizer:t1']);
    for (const c of commands) expect(c.args).toMatchObject({ BASE: 'localhost/base:1', VERSION: 't1' });
  });

  test('.containerignore and .dockerignore keep the same context (no node_modules, no dist, no Containerfile)', () => {
    const rules = (f: string) => read(f).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rules('.dockerignore')).toEqual(rules('.containerignore'));
    // **/Containerfile: a change to one image's stage does not invalidate the context layers of all
    expect(rules('.containerignore')).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', '.tools', '**/Containerfile']));
  });

  test('the image scripts are valid bash', () => {
    for (const f of ['scripts/build-images.sh', 'scripts/build-base-image.sh', 'scripts/kind-up.sh', 'scripts/kind-down.sh']) {
      const r = spawnSync('bash', ['-n', join(root, f)], { encoding: 'utf8' });
      expect({ f, err: r.stderr }).toEqual({ f, err: '' });
    }
  });
});

// --- the real build (opt-in) -------------------------------------------------------------------------

const enabled = process.env.GAMBIT_IMAGE_TEST === '1';
const describeBuild = enabled ? describe : describe.skip; // skipped unless asked: needs root, podman, debootstrap, minutes
const IMAGE = 'localhost/gambit/gateway:image-test';
/** Absolute, since the processes below get a bare environment (as a container would). */
const chroot = () => execFileSync('bash', ['-c', 'command -v chroot'], { encoding: 'utf8' }).trim();

describeBuild('the gateway image, built and run from its filesystem (GAMBIT_IMAGE_TEST=1)', () => {
  let mount = '';
  let redis: RedisHandle;
  let proc: ChildProcess | undefined;
  let port = 0;
  let log = '';

  beforeAll(async () => {
    expect(execFileSync('id', ['-u'], { encoding: 'utf8' }).trim()).toBe('0'); // chroot and podman image mount need root
    const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env } });
    sh('bash', ['scripts/build-base-image.sh']); // no-op when localhost/gambit-node-base:24 exists
    sh('bash', ['scripts/build-images.sh', '--tag', 'image-test', 'gateway']);
    mount = execFileSync('podman', ['image', 'mount', IMAGE], { encoding: 'utf8' }).trim();
    redis = await startRedis();
    port = await freePort();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // what the Deployment does: the image's entrypoint as user 10001, env from the chart's settings
    const config = JSON.parse(execFileSync('podman', ['image', 'inspect', IMAGE, '--format', '{{json .Config}}'], { encoding: 'utf8' })) as { Entrypoint: string[]; WorkingDir: string };
    // (the script, last, made absolute: chroot starts in /, not in the image's WORKDIR)
    proc = spawn(chroot(), ['--userspec=10001:10001', mount, ...config.Entrypoint.map((a, i, all) => (i === all.length - 1 ? `${config.WorkingDir}/${a}` : a))], {
      env: { REDIS_URL: redis.url, TOKEN_SIGNING_KEY: pem, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', GATEWAY_ID: 'gambit-gateway-abc', DRAIN_MS: '500', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (log += String(d)));
    proc.stderr!.on('data', (d) => (log += String(d)));
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 20 * 60_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await redis?.stop();
    if (mount) spawnSync('podman', ['image', 'unmount', IMAGE]);
  });

  test('the filesystem: node, its libraries, production node_modules, no shell, no npm', () => {
    for (const f of ['usr/local/bin/node', 'app/services/gateway/dist/main.js', 'app/node_modules/ws', 'app/node_modules/@gambit/common', 'app/packages/protocol/dist/index.js']) {
      expect({ f, exists: existsSync(join(mount, f)) }).toEqual({ f, exists: true });
    }
    for (const f of ['bin/sh', 'bin/bash', 'usr/local/bin/npm', 'app/node_modules/typescript', 'app/node_modules/jest', 'app/node_modules/esbuild', 'app/services/game-engine', 'app/web']) {
      expect({ f, exists: existsSync(join(mount, f)) }).toEqual({ f, exists: false });
    }
    const config = JSON.parse(execFileSync('podman', ['image', 'inspect', IMAGE, '--format', '{{json .Config}}'], { encoding: 'utf8' })) as {
      User: string; Labels: Record<string, string>; Entrypoint: string[]; ExposedPorts: Record<string, unknown>; WorkingDir: string; Env: string[]; StopSignal: string;
    };
    expect(config.User).toBe('10001:10001');
    expect(config.Labels['org.opencontainers.image.version']).toBe('image-test');
    expect(config.Labels['org.opencontainers.image.title']).toBe('gambit-gateway');
    // the gateway stage's command, with the flags of node-flags.json
    const flags = JSON.parse(read('services/gateway/node-flags.json')) as string[];
    expect(config.Entrypoint).toEqual(['/usr/local/bin/node', '--enable-source-maps', ...flags, 'services/gateway/dist/main.js']);
    expect(Object.keys(config.ExposedPorts)).toEqual(['8080/tcp']);
    expect(config.WorkingDir).toBe('/app');
    expect(config.Env).toContain('NODE_ENV=production');
    expect(config.StopSignal).toBe('SIGTERM');
  });

  test('the service starts from it as user 10001: /healthz and /readyz answer', async () => {
    expect({ log, health: (await fetch(`http://127.0.0.1:${port}/healthz`)).status }).toEqual({ log, health: 200 });
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });

  test('the helm test script, run by the image\'s node, plays ping against it', () => {
    const r = spawnSync(chroot(), ['--userspec=10001:10001', mount, '/usr/local/bin/node', '--input-type=module', '-e', read('cdk8s/assets/helm-test-ping.mjs')], {
      env: { GATEWAY_URL: `http://127.0.0.1:${port}` }, encoding: 'utf8', timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
  });

  test('node as PID 1 handles SIGTERM: the gateway drains and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
    proc!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toContain('draining');
  });
});
