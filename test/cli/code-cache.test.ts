/**
 * The bundle loader's code cache (src/cli/code-cache.ts): what it runs, what it reads and writes,
 * and that nothing it finds on disk can break a run or be run when another user could have put it
 * there. In process: V8 takes a cache made by the same isolate, as a later process would.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { bundleLoader } from '../../src/cli/code-cache.js';

let root: string;
let bundle: string;
let cache: string;

/** A two-chunk bundle as scripts/bundle.ts writes it: strict CommonJS, relative requires of chunks, built-ins. */
function writeBundle(dir: string, answer = 42): void {
  mkdirSync(join(dir, 'chunks'), { recursive: true });
  writeFileSync(
    join(dir, 'cli.cjs'),
    `#!/usr/bin/env node\n"use strict";\nconst shared = require("./chunks/shared.cjs");\nconst path = require("node:path");\nshared.count++;\nmodule.exports = { answer: () => shared.answer(), lazy: () => require("./chunks/lazy.cjs").name, file: __filename, dir: path.basename(__dirname), strict: (function () { return this; })() === undefined };\n`,
  );
  writeFileSync(join(dir, 'chunks', 'shared.cjs'), `"use strict";\nexports.count = 0;\nexports.answer = () => ${answer};\n`);
  writeFileSync(
    join(dir, 'chunks', 'lazy.cjs'),
    `"use strict";\nconst shared = require("./shared.cjs");\nshared.count++;\nmodule.exports = { name: "lazy:" + shared.count };\n`,
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aml-code-cache-'));
  bundle = join(root, 'bundle');
  cache = join(root, 'cache', 'code-cache', 'build-1');
  writeBundle(bundle);
});

describe('bundleLoader', () => {
  it('runs a bundle: chunks once each, relative requires among them, built-ins from Node, strict code, its own __filename', () => {
    const loader = bundleLoader();
    const cli = loader.load(join(bundle, 'cli.cjs')) as {
      answer: () => number;
      lazy: () => string;
      file: string;
      dir: string;
      strict: boolean;
    };
    expect(cli.answer()).toBe(42);
    expect(cli.file).toBe(join(bundle, 'cli.cjs'));
    expect(cli.dir).toBe('bundle');
    expect(cli.strict).toBe(true);
    // The shared chunk ran once: the entry counted 1, the lazy chunk (loaded only now) 2.
    expect(cli.lazy()).toBe('lazy:2');
    expect(loader.load(join(bundle, 'cli.cjs'))).toBe(cli);
    expect(loader.stats).toMatchObject({ hits: 0, misses: 3, unused: 'no cache folder' });
    loader.flush();
    expect(loader.stats.written).toBe(0);
  });

  it('writes an entry per module at flush, in a folder only the user may read, and the next run compiles from them', () => {
    const first = bundleLoader({ cacheDir: cache });
    (first.load(join(bundle, 'cli.cjs')) as { lazy: () => string }).lazy();
    expect(first.stats).toEqual({ hits: 0, misses: 3, written: 0 });
    first.flush();
    expect(first.stats.written).toBe(3);
    expect(readdirSync(cache).sort()).toEqual(['cli.cjs.v8', 'lazy.cjs.v8', 'shared.cjs.v8']);
    if (process.platform !== 'win32') {
      expect(statSync(cache).mode & 0o777).toBe(0o700);
      expect(statSync(join(cache, 'cli.cjs.v8')).mode & 0o777).toBe(0o600);
    }
    const second = bundleLoader({ cacheDir: cache });
    const cli = second.load(join(bundle, 'cli.cjs')) as { answer: () => number; lazy: () => string };
    expect(cli.answer()).toBe(42);
    expect(cli.lazy()).toBe('lazy:2');
    expect(second.stats).toEqual({ hits: 3, misses: 0, written: 0 });
    second.flush();
    expect(second.stats.written).toBe(0);
  });

  it('takes a damaged entry (a flipped byte, a cut file, a foreign file) for a miss, runs from source and writes it anew', () => {
    const first = bundleLoader({ cacheDir: cache });
    first.load(join(bundle, 'cli.cjs'));
    first.flush();
    const entry = join(cache, 'cli.cjs.v8');
    const good = readFileSync(entry);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] = flipped[flipped.length - 100]! ^ 0xff;
    for (const bad of [flipped, good.subarray(0, good.length - 1), good.subarray(0, 6), Buffer.from('not a cache at all')]) {
      writeFileSync(entry, bad);
      const loader = bundleLoader({ cacheDir: cache });
      expect((loader.load(join(bundle, 'cli.cjs')) as { answer: () => number }).answer()).toBe(42);
      expect(loader.stats).toMatchObject({ hits: 1, misses: 1 });
      loader.flush();
      expect(loader.stats.written).toBe(1);
      const after = bundleLoader({ cacheDir: cache });
      after.load(join(bundle, 'cli.cjs'));
      expect(after.stats).toMatchObject({ hits: 2, misses: 0 });
      writeFileSync(entry, good);
    }
  });

  it('takes an intact entry V8 rejects (made for another source) for a miss', () => {
    const first = bundleLoader({ cacheDir: cache });
    first.load(join(bundle, 'cli.cjs'));
    first.flush();
    // Another build of the shared chunk, of another length: same file name, same folder.
    writeFileSync(join(bundle, 'chunks', 'shared.cjs'), `"use strict";\nexports.count = 0;\nexports.answer = () => 4242;\n`);
    const second = bundleLoader({ cacheDir: cache });
    expect((second.load(join(bundle, 'cli.cjs')) as { answer: () => number }).answer()).toBe(4242);
    expect(second.stats).toMatchObject({ hits: 1, misses: 1 });
  });

  it.skipIf(process.platform === 'win32')('does not use a folder others may write to: neither reads nor writes it', () => {
    const first = bundleLoader({ cacheDir: cache });
    first.load(join(bundle, 'cli.cjs'));
    first.flush();
    chmodSync(cache, 0o777);
    const loader = bundleLoader({ cacheDir: cache });
    expect((loader.load(join(bundle, 'cli.cjs')) as { answer: () => number }).answer()).toBe(42);
    expect(loader.stats).toEqual({ hits: 0, misses: 2, written: 0, unused: `others may write to ${cache}` });
    loader.flush();
    expect(loader.stats.written).toBe(0);
  });

  it('runs without a cache when the folder cannot be one, or cannot be written at exit', () => {
    mkdirSync(join(root, 'cache'), { recursive: true });
    const file = join(root, 'cache', 'a-file');
    writeFileSync(file, '');
    const loader = bundleLoader({ cacheDir: file });
    expect((loader.load(join(bundle, 'cli.cjs')) as { answer: () => number }).answer()).toBe(42);
    expect(loader.stats.unused).toBe(`${file} is not a folder`);
    // The folder's parent is a file by the time the process exits: flush swallows it.
    const late = bundleLoader({ cacheDir: join(file, 'below') });
    late.load(join(bundle, 'cli.cjs'));
    expect(() => {
      late.flush();
    }).not.toThrow();
    expect(late.stats.written).toBe(0);
    // An entry that cannot replace what is there (a folder in its place): the others are written, and no half-written file stays.
    mkdirSync(join(cache, 'cli.cjs.v8', 'in-the-way'), { recursive: true });
    const blocked = bundleLoader({ cacheDir: cache });
    blocked.load(join(bundle, 'cli.cjs'));
    blocked.flush();
    expect(blocked.stats.written).toBe(1);
    expect(readdirSync(cache).sort()).toEqual(['cli.cjs.v8', 'shared.cjs.v8']);
  });

  it("removes other builds' folders not touched for 30 days when it creates its own, and keeps recent ones", () => {
    const parent = join(root, 'cache', 'code-cache');
    for (const name of ['old-build', 'recent-build']) mkdirSync(join(parent, name), { recursive: true });
    const old = (Date.now() - 31 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(parent, 'old-build'), old, old);
    const loader = bundleLoader({ cacheDir: cache });
    loader.load(join(bundle, 'cli.cjs'));
    loader.flush();
    expect(readdirSync(parent).sort()).toEqual(['build-1', 'recent-build']);
  });

  it("passes a module's error to the caller, with the module's file in its stack", () => {
    writeFileSync(join(bundle, 'chunks', 'shared.cjs'), `"use strict";\nthrow new Error("broken chunk");\n`);
    const loader = bundleLoader({ cacheDir: cache });
    expect(() => loader.load(join(bundle, 'cli.cjs'))).toThrow(/broken chunk/);
    try {
      bundleLoader().load(join(bundle, 'chunks', 'shared.cjs'));
    } catch (err) {
      expect((err as Error).stack).toContain(join(bundle, 'chunks', 'shared.cjs'));
    }
  });
});
