// The container images. Always: the Containerfiles follow the rules (multi-stage from a BASE
// argument, production dependencies only, FROM scratch with no shell, a numeric non-root user,
// node as PID 1, OCI labels) and name what the chart deploys. With GAMBIT_IMAGE_TEST=1 (or
// `make images-test`; root, podman and debootstrap, a few minutes): the gateway image is built
// with podman --isolation=chroot and the service is started from the image's own filesystem.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultValues } from '../../cdk8s/src/values.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { freePort } from '../support/ports.js';
import { root } from './support.js';

const IMAGES = {
  gateway: { file: 'services/gateway/Containerfile', workspace: 'services/gateway', port: 8080 },
  'game-engine': { file: 'services/game-engine/Containerfile', workspace: 'services/game-engine', port: 9101 },
  finalizer: { file: 'services/finalizer/Containerfile', workspace: 'services/finalizer', port: 8082 },
  'room-reaper': { file: 'controllers/room-reaper/Containerfile', workspace: 'controllers/room-reaper', port: 9102 },
  web: { file: 'web/Containerfile', workspace: 'web', port: 0 },
} as const;
const read = (f: string) => readFileSync(join(root, f), 'utf8');

describe('Containerfiles', () => {
  test.each(Object.entries(IMAGES))('%s: multi-stage from BASE, FROM scratch, non-root, exec-form node entrypoint, OCI labels', (name, spec) => {
    const text = read(spec.file);
    const froms = [...text.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => m[1]);
    expect(text).toMatch(/^ARG BASE=docker\.io\/library\/node:24-bookworm-slim$/m);
    expect(froms.slice(0, -1).every((f) => f === '${BASE}')).toBe(true);
    expect(froms.at(-1)).toBe('scratch');
    const final = text.slice(text.lastIndexOf('FROM scratch'));
    expect(final).toMatch(/^USER 10001:10001$/m);
    expect(final).toMatch(/^ENTRYPOINT \["\/usr\/local\/bin\/node", /m);
    expect(final).not.toMatch(/^RUN /m); // nothing runs in the final stage: it has no shell
    for (const l of ['title', 'description', 'version', 'revision', 'source', 'licenses']) expect(final).toContain(`org.opencontainers.image.${l}=`);
    expect(final).toContain(`org.opencontainers.image.title="gambit-${name}"`);
    expect(text).not.toMatch(/:latest\b/);
    expect(text).not.toMatch(/npm install\b/);
    if (name !== 'web') {
      expect(text).toContain(`npm ci --registry="$NPM_REGISTRY" --omit=dev --workspace ${spec.workspace} `);
      expect(final).toContain(`"${spec.workspace}/dist/main.js"`);
      expect(final).toContain(`EXPOSE ${spec.port}`);
    }
  });

  test('the gateway image starts Node with the flags of services/gateway/node-flags.json (the benchmark and make dev use them too)', () => {
    const flags = JSON.parse(read('services/gateway/node-flags.json')) as string[];
    expect(flags).toContain('--max-semi-space-size=1');
    const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(read('services/gateway/Containerfile'))![1]!) as string[];
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
    // ...and both images that commit rooms (engine, controller) run it after compiling.
    for (const spec of [IMAGES['game-engine'], IMAGES['room-reaper']]) {
      expect(read(spec.file)).toContain(`RUN npx tsc -b ${spec.workspace} \\\n && npm run -w packages/rooms build \\\n`);
    }
  });

  test('the chart deploys the images these files build (REGISTRY/gambit/NAME:TAG)', () => {
    const v = defaultValues();
    const repos = [v.gateway.image, v.engine.image, v.finalizer.image, v.roomReaper.image, v.web.image].map((i) => i.repository);
    expect(repos).toEqual(Object.keys(IMAGES).map((n) => `gambit/${n}`));
    const script = read('scripts/build-images.sh');
    for (const [name, spec] of Object.entries(IMAGES)) expect(script).toContain(`[${name}]=${spec.file}`);
    expect(script).toContain('image="$REGISTRY/gambit/$name:$TAG"');
    expect(v.image.registry).toBe('localhost');
  });

  test('.containerignore and .dockerignore keep the same context (no node_modules, no dist)', () => {
    const rules = (f: string) => read(f).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rules('.dockerignore')).toEqual(rules('.containerignore'));
    expect(rules('.containerignore')).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', '.tools']));
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
    proc = spawn(chroot(), ['--userspec=10001:10001', mount, ...config.Entrypoint.map((a, i) => (i === 2 ? `${config.WorkingDir}/${a}` : a))], {
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
    const config = JSON.parse(execFileSync('podman', ['image', 'inspect', IMAGE, '--format', '{{json .Config}}'], { encoding: 'utf8' })) as { User: string; Labels: Record<string, string> };
    expect(config.User).toBe('10001:10001');
    expect(config.Labels['org.opencontainers.image.version']).toBe('image-test');
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
