/**
 * Bundles the CLI into `dist/bundle/` with esbuild, so a preflight gate, which starts a fresh
 * process every time, does not pay for resolving and reading hundreds of modules: one entry, with
 * the Azure SDK clients, reporters and the mock split into chunks that load only when a command
 * needs them. Two passes: esbuild splits only ESM, and ESM has no code cache on Node 20, so the ESM
 * chunks are then turned into CommonJS ones, which the launcher (src/cli/launcher.ts) compiles with
 * V8's code cache. Bundled from the TypeScript sources, so the source maps point at them (through
 * both passes). The launcher does not turn them on: Node would read and parse every chunk's map at
 * each start (about 50 ms of a one-workspace audit); `NODE_OPTIONS=--enable-source-maps` gives stack
 * traces in the TypeScript sources when one is needed.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmod, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../src/base/paths.js';

const out = join(packageRoot, 'dist', 'bundle');
// The ESM pass's output, read (with its source maps) by the CommonJS pass.
const esm = join(packageRoot, 'dist', 'bundle-esm');
await rm(out, { recursive: true, force: true });
await rm(esm, { recursive: true, force: true });
const split = await build({
  entryPoints: { cli: join(packageRoot, 'src', 'cli', 'bin.ts') },
  outdir: esm,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // Prefer the packages' ESM builds: their named exports then survive dynamic import() as in Node.
  mainFields: ['module', 'main'],
  target: 'node20',
  // Smaller to ship and to parse at every start; the source maps keep stack traces readable.
  minify: true,
  // Function names survive minification: stack traces and error names stay readable.
  keepNames: true,
  sourcemap: 'linked',
  // Stack traces need the mappings, not the sources: Node parses every map at load, so keep them small.
  sourcesContent: false,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

/**
 * The second pass: each ESM chunk to CommonJS, one file each, so the launcher can compile them with
 * a code cache (src/cli/code-cache.ts). Imports of other chunks stay requires of their .cjs files;
 * a dynamic import() becomes a require when it runs, so a chunk still loads only when used. The ESM
 * code is strict, so the CommonJS is too; `import.meta.url` is the chunk's own file URL.
 */
const chunkFiles = Object.keys(split.metafile.outputs).filter((f) => f.endsWith('.mjs'));
const converted = await build({
  entryPoints: chunkFiles.map((f) => join(packageRoot, f)),
  outdir: out,
  outbase: esm,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  supported: { 'dynamic-import': false },
  outExtension: { '.js': '.cjs' },
  banner: { js: '"use strict";var __amlImportMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__amlImportMetaUrl' },
  metafile: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'chunks-stay-apart',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) =>
          args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.mjs$/, '.cjs'), external: true },
        );
      },
    },
  ],
});
// Anything esbuild could not carry over to CommonJS (another import.meta, a top-level await) fails the build.
if (converted.warnings.length > 0) throw new Error(`bundle: ${converted.warnings.length} warning(s) converting to CommonJS`);
await rm(esm, { recursive: true, force: true });

const outputs = Object.keys(converted.metafile.outputs).filter((f) => f.endsWith('.cjs'));
const hash = createHash('sha256');
for (const f of outputs.sort()) hash.update(f).update(await readFile(join(packageRoot, f)));
const launcher = join(out, 'aml-preflight.mjs');
await build({
  entryPoints: [join(packageRoot, 'src', 'cli', 'launcher.ts')],
  outfile: launcher,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  define: { AML_PREFLIGHT_BUILD: JSON.stringify(hash.digest('hex').slice(0, 16)) },
  logLevel: 'warning',
});
await chmod(launcher, 0o755);
const bytes = Object.values(converted.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled the CLI into dist/bundle/: ${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB with source maps`);
