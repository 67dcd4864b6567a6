/**
 * Runs the bundled CLI (CommonJS chunks, `dist/bundle/`) with V8's code cache, on every Node we
 * support. A one-workspace audit compiles about 2.5 MB of JavaScript (1.3 MB of it the network
 * SDK's models), some 230 ms of a 800 ms process; from the cache it is a fraction of that. Node 22
 * has its own compile cache, but Node 20 has none, and ESM has no code-cache API without flags: so
 * the bundle's chunks are CommonJS, compiled here as `vm.Script`s with `cachedData`.
 *
 * - The cache lives in the user's cache folder (`defaultCacheDir()`), in a folder per build, Node
 *   version, architecture and Node options, so a cache is only ever read by the code that made it:
 *   V8 checks its own version and flags, but of the source only the length.
 * - A folder another user owns, or others may write to, is not used: a cache is code.
 * - Each entry carries a CRC-32 of its payload: a damaged file is a miss, never a crash.
 * - A module with no usable cache is written when the process exits (`flush`), after it ran, so the
 *   functions it compiled lazily are in the cache too.
 * - Any failure to read or write the cache only costs the time it would have saved.
 *
 * Only node's built-ins leave the bundle: a relative `require` is another chunk, loaded here, and
 * anything else goes to Node's `require`.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

export interface CodeCacheStats {
  /** Modules compiled from the cache. */
  hits: number;
  /** Modules compiled from source: no entry, a damaged one, or one V8 rejected. */
  misses: number;
  /** Entries written by `flush`. */
  written: number;
  /** Why the cache is not used at all, when it is not. */
  unused?: string;
}

export interface BundleLoader {
  /** Runs the CommonJS module at `file` once (and the chunks it requires); returns its exports. */
  load(file: string): unknown;
  /** Writes the entries of the modules compiled from source. Synchronous: for process 'exit'. */
  flush(): void;
  readonly stats: CodeCacheStats;
}

export interface BundleLoaderOptions {
  /** The folder of this build's entries; undefined: no cache. */
  cacheDir?: string;
  /** Sibling folders (other builds) not modified for this long are removed when this one is created. Default 30 days. */
  pruneAfterInMs?: number;
}

/** 'AMLC', then the payload's CRC-32, then V8's cached data. */
const MAGIC = 0x434c4d41;
const HEADER = 8;

/** Why `dir` must not hold code we run, or undefined when it may. A missing folder may: it will be ours. */
function refusal(dir: string): string | undefined {
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : `cannot read ${dir}`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder`;
  if (process.platform === 'win32') return undefined;
  if (process.getuid !== undefined && st.uid !== process.getuid()) return `${dir} belongs to another user`;
  if ((st.mode & 0o022) !== 0) return `others may write to ${dir}`;
  return undefined;
}

function readEntry(file: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER || bytes.readUInt32LE(0) !== MAGIC) return undefined;
  const payload = bytes.subarray(HEADER);
  return crc32(payload) === bytes.readUInt32LE(4) ? payload : undefined;
}

function writeEntry(file: string, payload: Buffer): void {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(crc32(payload), 4);
  // Whole or not at all: a concurrent run reads the old entry or the new one.
  const partial = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(partial, Buffer.concat([header, payload]), { mode: 0o600 });
    renameSync(partial, file);
  } catch (err) {
    // A full disk leaves no half-written file behind.
    rmSync(partial, { force: true });
    throw err;
  }
}

function prune(dir: string, olderThanInMs: number): void {
  const parent = dirname(dir);
  const now = Date.now();
  for (const name of readdirSync(parent)) {
    const sibling = join(parent, name);
    if (sibling === dir) continue;
    try {
      if (now - statSync(sibling).mtimeMs > olderThanInMs) rmSync(sibling, { recursive: true, force: true });
    } catch {
      // Another run may be pruning it too.
    }
  }
}

export function bundleLoader(options: BundleLoaderOptions = {}): BundleLoader {
  const stats: CodeCacheStats = { hits: 0, misses: 0, written: 0 };
  const unused = options.cacheDir === undefined ? 'no cache folder' : refusal(options.cacheDir);
  if (unused !== undefined) stats.unused = unused;
  const cacheDir = unused === undefined ? options.cacheDir : undefined;
  const modules = new Map<string, { exports: unknown }>();
  const uncached: { script: Script; entry: string }[] = [];

  function load(file: string): unknown {
    const known = modules.get(file);
    if (known) return known.exports;
    const module = { exports: {} as unknown, id: file, filename: file, loaded: false };
    modules.set(file, module);
    const entry = cacheDir === undefined ? undefined : join(cacheDir, `${basename(file)}.v8`);
    const cachedData = entry === undefined ? undefined : readEntry(entry);
    // The bundle's hashbang stays a comment; the module wrapper is Node's own, on the first line.
    const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
    });
    if (cachedData && !script.cachedDataRejected) stats.hits++;
    else {
      stats.misses++;
      if (entry !== undefined) uncached.push({ script, entry });
    }
    const dir = dirname(file);
    const nodeRequire = createRequire(file);
    const require = Object.assign(
      (id: string): unknown => (id.startsWith('./') || id.startsWith('../') ? load(join(dir, id)) : nodeRequire(id)),
      { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: undefined },
    );
    (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, file, dir);
    module.loaded = true;
    return module.exports;
  }

  function flush(): void {
    if (cacheDir === undefined || uncached.length === 0) return;
    try {
      let created = false;
      try {
        statSync(cacheDir);
      } catch {
        mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
        created = true;
      }
      for (const { script, entry } of uncached.splice(0)) {
        try {
          writeEntry(entry, script.createCachedData());
          stats.written++;
        } catch {
          // This entry only: the others may still be written.
        }
      }
      if (created) prune(cacheDir, options.pruneAfterInMs ?? 30 * 24 * 3600 * 1000);
    } catch {
      // A full disk or a read-only home: the next start compiles from source again.
    }
  }

  return { load, flush, stats };
}
