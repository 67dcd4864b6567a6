/**
 * Bundles the CLI into `dist/bundle/` with esbuild, so a preflight gate, which starts a fresh
 * process every time, does not pay for resolving and reading hundreds of modules: one ESM entry,
 * with the Azure SDK clients, reporters and the mock split into chunks that load only when a
 * command needs them. Bundled from the TypeScript sources, so the source maps point at them. The
 * launcher does not turn them on: Node would read and parse every chunk's map at each start (about
 * 50 ms of a one-workspace audit); `NODE_OPTIONS=--enable-source-maps` gives stack traces in the
 * TypeScript sources when one is needed. It turns on Node's compile cache where the running Node has
 * it (22.1+).
 */
import { build, type Plugin } from 'esbuild';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../src/base/paths.js';

/**
 * Built-ins imported through `require()` instead of `import`. An ESM import of a built-in makes Node
 * build its module facade, which reads every export: on Node 22 and later `node:http`'s lazy
 * `WebSocket`, `MessageEvent` and `CloseEvent` then load undici (about 90 ms of every start), though
 * the HTTP client of the Azure SDK uses only `request` and `Agent`. Required, the module's exports
 * are read only when used.
 */
function requiredBuiltins(names: readonly string[]): Plugin {
  const filter = new RegExp(`^(node:)?(${names.join('|')})$`);
  return {
    name: 'required-builtins',
    setup(b) {
      // The stand-in's own require() stays external: Node's require of the real built-in.
      b.onResolve({ filter }, (args) =>
        args.namespace === 'required-builtin'
          ? { path: args.path, external: true }
          : { path: args.path.replace(/^node:/, ''), namespace: 'required-builtin' },
      );
      b.onLoad({ filter: /.*/, namespace: 'required-builtin' }, (args) => ({
        contents: `module.exports = require('node:${args.path}');`,
        loader: 'js',
      }));
    },
  };
}

const out = join(packageRoot, 'dist', 'bundle');
await rm(out, { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: join(packageRoot, 'src', 'cli', 'bin.ts') },
  outdir: out,
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
  // CommonJS dependencies inside an ESM bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __amlPreflightRequire } from 'node:module'; const require = __amlPreflightRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
  plugins: [requiredBuiltins(['http', 'https'])],
});
const launcher = join(out, 'aml-preflight.mjs');
await writeFile(
  launcher,
  `#!/usr/bin/env node
// The aml-preflight executable: the bundled CLI with, where the running Node has it, its compile
// cache (in the user's cache folder, shared across runs). Stack traces in the TypeScript sources:
// NODE_OPTIONS=--enable-source-maps (the maps ship beside the chunks).
import module from 'node:module';
import v8 from 'node:v8';
module.enableCompileCache?.();
// A tenant audit keeps about 80 MB live at 2,000 workspaces, and allocates fast; while major GCs
// are cheap V8 lets the heap grow to four times the live set before the next one (460 MB of RSS).
// Growing it by half instead holds that run near 300 MB for the same CPU. A --heap-growing-percent
// given to node wins.
if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent')))
  v8.setFlagsFromString('--heap-growing-percent=50');
await import('./cli.mjs');
`,
);
await chmod(launcher, 0o755);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `bundled the CLI into dist/bundle/: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.mjs')).length} files, ${(bytes / 1e6).toFixed(1)} MB with source maps`,
);
