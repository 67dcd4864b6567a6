/**
 * The aml-preflight executable as installed (`dist/bundle/aml-preflight.mjs`): the bundled CLI run
 * with its code cache (`code-cache.ts`). Stack traces in the TypeScript sources:
 * NODE_OPTIONS=--enable-source-maps (the maps ship beside the chunks); Node's own loader then runs
 * the bundle, which applies them. NODE_DISABLE_COMPILE_CACHE=1 turns the cache off, as it does
 * Node's; NODE_DEBUG=aml-preflight prints what the cache did.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debuglog } from 'node:util';
import v8 from 'node:v8';
import { defaultCacheDir } from '../base/cache-dir.js';
import { bundleLoader } from './code-cache.js';

/** The bundle's content hash, set by scripts/bundle.ts. */
declare const AML_PREFLIGHT_BUILD: string;

// A tenant audit keeps about 80 MB live at 2,000 workspaces, and allocates fast; while major GCs
// are cheap V8 lets the heap grow to four times the live set before the next one (460 MB of RSS).
// Growing it by half instead holds that run near 300 MB for the same CPU. A --heap-growing-percent
// given to node wins.
if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent')))
  v8.setFlagsFromString('--heap-growing-percent=50');

/** FNV-1a, 32 bits: tells Node option sets apart in a folder name. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** This build's code-cache folder; undefined when the user has no home to hold one (a container's random uid). */
function cacheFolder(key: string): string | undefined {
  try {
    return join(defaultCacheDir(), 'code-cache', key);
  } catch {
    return undefined;
  }
}

const entry = join(dirname(fileURLToPath(import.meta.url)), 'cli.cjs');
if (process.sourceMapsEnabled) createRequire(import.meta.url)(entry);
else {
  const off = process.env.NODE_DISABLE_COMPILE_CACHE !== undefined && process.env.NODE_DISABLE_COMPILE_CACHE !== '';
  // V8 rejects a cache made under other flags: one folder per option set, so two never take turns.
  const options = fnv(`${process.execArgv.join(' ')}\n${process.env.NODE_OPTIONS ?? ''}`);
  const key = `${AML_PREFLIGHT_BUILD}-node${process.versions.node}-${process.arch}-${options}`;
  const loader = bundleLoader(off ? {} : { cacheDir: cacheFolder(key) });
  const debug = debuglog('aml-preflight');
  process.once('exit', () => {
    loader.flush();
    debug('code cache: %j', loader.stats);
  });
  loader.load(entry);
}
