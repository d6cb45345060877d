// Builds the browser client into web/dist: app-<hash>.js + app-<hash>.css (esbuild, minified, with
// source maps; the hash in the name lets servers cache them for good), index.html naming them,
// and the cm-chessboard sprites it loads at run time (assets/).
// Usage: npm run -w web build   (or: node web/build.js [--watch] [--outdir DIR]; tests build into their own DIR)
import { build, context } from 'esbuild';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--outdir');
const dist = outArg > 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1]) : join(here, 'dist');
// cm-chessboard has no "exports" map, so its package.json can be resolved directly.
const cmRoot = dirname(createRequire(import.meta.url).resolve('cm-chessboard/package.json'));

/** After each build: index.html gets the new bundle names, and bundles of earlier builds go. */
const page = {
  name: 'page',
  setup(b) {
    b.onEnd(async (result) => {
      if (result.errors.length || !result.metafile) return;
      const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
      const js = outputs.find((f) => /^app-\w+\.js$/.test(f));
      const css = outputs.find((f) => /^app-\w+\.css$/.test(f));
      if (!js || !css) throw new Error(`build outputs lack the bundle: ${outputs.join(', ')}`);
      const html = await readFile(join(here, 'src/index.html'), 'utf8');
      await writeFile(join(dist, 'index.html'), html.replace('"/app.js"', `"/${js}"`).replace('"/app.css"', `"/${css}"`));
      for (const f of await readdir(dist)) {
        const bundle = /^(app(?:-\w+)?\.(?:js|css))(?:\.map|\.LEGAL\.txt)?$/.exec(f)?.[1];
        if (bundle && bundle !== js && bundle !== css) await rm(join(dist, f));
      }
    });
  },
};

const options = {
  entryPoints: [
    { in: join(here, 'src/main.tsx'), out: 'app' },
    { in: join(here, 'src/styles.css'), out: 'app' },
  ],
  outdir: dist,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  metafile: true,
  plugins: [page],
  logLevel: 'info',
};

await mkdir(join(dist, 'assets/extensions/markers'), { recursive: true });
// Fetched by cm-chessboard at run time from assetsUrl ('/assets/'), so they are copied, not bundled.
await cp(join(cmRoot, 'assets/pieces'), join(dist, 'assets/pieces'), { recursive: true });
await cp(join(cmRoot, 'assets/extensions/markers/markers.svg'), join(dist, 'assets/extensions/markers/markers.svg'));

if (process.argv.includes('--watch')) {
  await (await context(options)).watch();
} else {
  await build(options);
}
