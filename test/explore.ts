/**
 * `npm run explore -- --runs N [--seed S] [--concurrency C]`: an exploratory sweep of mutated worlds
 * beyond what the test suite runs. Each run mutates a healthy world (customer VNet or managed
 * network, alternately) at a random place, audits it end to end on the embedded mock (direct ARM
 * and Resource Graph mode, alternately), and checks the contract: an exit code of 0–3, exit 2 naming
 * the world file's JSON path, and no check that "failed unexpectedly". Every failure is printed with
 * its seed and mutation, to pin as an example in test/mutate.ts.
 */
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { healthyPrivate } from '../mocks/worlds/generate.js';
import { healthyManaged } from '../mocks/worlds/managed.js';
import { main } from '../src/cli/main.js';
import { mutateAt, mutation } from './mutate.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string' }, concurrency: { type: 'string', default: '4' } },
});
const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const concurrency = Math.max(1, Number(values.concurrency));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run explore -- --runs N [--seed S] [--concurrency C]\n');
  process.exit(2);
}

const bases = { 'healthy-private': healthyPrivate, 'healthy-managed': () => healthyManaged() } as const;
const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-explore-'));
const samples = fc.sample(mutation, { seed, numRuns: runs });
const codes: Record<number, number> = {};
const failures: string[] = [];
let next = 0;
let done = 0;
const started = performance.now();

async function one(i: number): Promise<void> {
  const [path, value, remove] = samples[i]!;
  const base = i % 2 === 0 ? 'healthy-private' : 'healthy-managed';
  const graph = i % 4 >= 2;
  const world = bases[base]() as unknown as Record<string, unknown>;
  mutateAt(world, path, value, remove);
  const file = join(dir, `w${i}.json`);
  await writeFile(file, JSON.stringify(world));
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['audit', '--mock', file, '--format', 'json', '--timeout', '60', ...(graph ? ['--inventory', 'resource-graph'] : [])],
    {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      isTTY: false,
      connectionOverrides: { retryDelayInMs: 20, maxRetryDelayInMs: 3000 },
    },
  );
  await rm(file, { force: true });
  codes[code] = (codes[code] ?? 0) + 1;
  const where = `seed ${seed} run ${i}: ${base}${graph ? ' (resource-graph)' : ''} ${JSON.stringify([path, value, remove])}`;
  const fail = (why: string): void => void failures.push(`${where}: ${why}`);
  if (![0, 1, 2, 3].includes(code)) {
    fail(`exit ${code}`);
    return;
  }
  if (code === 2) {
    if (!/^aml-preflight: invalid world file .*: at \$/.test(stderr)) fail(`exit 2 without the JSON path: ${stderr.trim()}`);
    return;
  }
  let report: { targets: { results: { checkId: string; reason?: string }[] }[] };
  try {
    report = JSON.parse(stdout) as typeof report;
  } catch {
    fail('the report is not JSON');
    return;
  }
  for (const t of report.targets)
    for (const r of t.results) if ((r.reason ?? '').includes('failed unexpectedly')) fail(`${r.checkId}: ${r.reason}`);
}

await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < runs) {
      const i = next++;
      await one(i);
      if (++done % 1000 === 0)
        process.stderr.write(
          `explore: ${done}/${runs} worlds, ${failures.length} failures, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
        );
    }
  }),
);
await rm(dir, { recursive: true, force: true });
for (const f of failures) console.log(`FAIL ${f}`);
console.log(
  `explore: seed ${seed}, ${runs} mutated worlds (${Math.ceil(runs / 2)} customer-VNet, ${Math.floor(runs / 2)} managed; half through Resource Graph) in ${((performance.now() - started) / 1000).toFixed(0)} s; exit codes ${JSON.stringify(codes)}; ${failures.length} failures`,
);
process.exitCode = failures.length > 0 ? 1 : 0;
