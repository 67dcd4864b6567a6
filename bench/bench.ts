/**
 * `npm run bench`: measures, prints a table, asserts nothing (tests never assert wall-clock times).
 * Each section is one figure an issue asked for.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allChecks as every } from '../checks/index.js';
import { selectChecks } from '../src/engine/run.js';
import { healthyPrivate, ids, SUB } from '../mocks/worlds/generate.js';
import { subscriptionWorld } from '../mocks/worlds/subscription.js';
import { healthyManaged } from '../mocks/worlds/managed.js';
import { managedV2Worlds } from '../mocks/worlds/managed-v2.js';
import { firewallWorlds } from '../mocks/worlds/firewall.js';
import { virtualWanWorlds } from '../mocks/worlds/virtual-wan.js';
import { startMockServer } from '../mocks/server.js';
import { mockCredential } from '../src/arm/connection.js';
import { runAudit } from '../src/engine/run.js';

/** What a plain audit runs: the opt-in checks (diagnosis, images) are left out, as the CLI does. */
const allChecks = selectChecks(every);
import { Inventory } from '../src/inventory/index.js';
import type { AuditReport } from '../src/report/types.js';
import { parseWorld, ARM_THROTTLING, type WorldInput } from '../src/world/schema.js';
import { evaluateNsg, type NsgRule } from '../src/network/nsg.js';
import { evaluateFirewall } from '../src/network/firewall.js';
import { policyRules, type ArmRuleCollectionGroup } from '../src/network/firewall-rules.js';
import { indexServiceTags } from '../src/network/service-tags.js';
import { packageRoot } from '../src/base/paths.js';

interface Row {
  figure: string;
  value: string;
  target: string;
}
const rows: Row[] = [];

function tags() {
  const dir = join(packageRoot, 'mocks', 'fixtures', 'service-tags');
  return indexServiceTags({
    values: readdirSync(dir).map(
      (f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as NonNullable<Parameters<typeof indexServiceTags>[0]['values']>[number],
    ),
  });
}

/** Issue 3: an NSG of 1,000 rules against the full MicrosoftContainerRegistry and Front Door data. */
function nsgEvaluator(): void {
  const index = tags();
  const names = [
    'MicrosoftContainerRegistry',
    'AzureFrontDoor.FirstParty',
    'Storage.WestEurope',
    'AzureMachineLearning',
    'AzureCloud.westeurope',
  ];
  // Deterministic pseudo-random rules: a mix of tags, CIDRs, ports and protocols, allows and denies.
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const rules: NsgRule[] = Array.from({ length: 1000 }, (_, i) => ({
    name: `rule-${i}`,
    priority: 100 + i * 3,
    direction: rnd(4) === 0 ? 'Inbound' : 'Outbound',
    access: rnd(3) === 0 ? 'Deny' : 'Allow',
    protocol: ['*', 'Tcp', 'Udp'][rnd(3)]!,
    sourceAddressPrefix: ['*', 'VirtualNetwork', '10.20.1.0/25', '10.99.0.0/16'][rnd(4)]!,
    destinationAddressPrefix: rnd(2) === 0 ? names[rnd(names.length)]! : `${20 + rnd(30)}.${rnd(256)}.${rnd(256)}.0/${16 + rnd(9)}`,
    destinationPortRange: ['*', '443', '80', '400-500', '8443'][rnd(5)]!,
  }));
  const nsg = {
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-bench',
    securityRules: rules,
  };
  const destination = [...index.get('MicrosoftContainerRegistry')!.prefixes, ...index.get('AzureFrontDoor.FirstParty')!.prefixes].filter(
    (p) => !p.includes(':'),
  );
  const ctx = { virtualNetwork: ['10.20.0.0/16'], tags: index };
  evaluateNsg(nsg, { source: ['10.20.1.0/24'], destination, protocol: 'Tcp', port: 443 }, ctx); // warm-up
  const runs = 5;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    evaluateNsg(nsg, { source: ['10.20.1.0/24'], destination, protocol: 'Tcp', port: 443 }, ctx);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  rows.push({
    figure: `NSG evaluator: 1,000 rules × ${destination.length} MCR + Front Door IPv4 prefixes (median of ${runs})`,
    value: `${times[Math.floor(runs / 2)]!.toFixed(1)} ms`,
    target: '≪ 1,000 ms',
  });
}

/** The worst case we can build: every rule cuts a small slice out of the targets, from half the subnet or all of it. */
function nsgEvaluatorAdversarial(): void {
  const index = tags();
  const destination = [...index.get('MicrosoftContainerRegistry')!.prefixes, ...index.get('AzureFrontDoor.FirstParty')!.prefixes];
  const v4 = destination.filter((p) => !p.includes(':'));
  const rules: NsgRule[] = Array.from({ length: 1000 }, (_, i) => {
    const base = v4[i % v4.length]!.split('/')[0]!;
    return {
      name: `slice-${i}`,
      priority: 100 + i * 3,
      direction: 'Outbound',
      access: i % 2 === 0 ? 'Deny' : 'Allow',
      protocol: 'Tcp',
      sourceAddressPrefix: i % 3 === 0 ? '10.20.1.0/25' : i % 3 === 1 ? '10.20.1.128/25' : '*',
      destinationAddressPrefix: `${base}/32`,
      destinationPortRange: '443',
    };
  });
  const nsg = {
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-bench',
    securityRules: rules,
  };
  const ctx = { virtualNetwork: ['10.20.0.0/16'], tags: index };
  const t0 = performance.now();
  const e = evaluateNsg(nsg, { source: ['10.20.1.0/24'], destination, protocol: 'Tcp', port: 443 }, ctx);
  const ms = performance.now() - t0;
  rows.push({
    figure: `NSG evaluator, adversarial: 1,000 slicing rules × ${destination.length} prefixes (IPv4+IPv6), ${e.decisions.length} decisions`,
    value: `${ms.toFixed(1)} ms`,
    target: '≪ 1,000 ms',
  });
}

/** Issue 8 (1): one workspace at 0 ms and 50 ms per request: effective sequential round trips. */
async function oneWorkspace(): Promise<void> {
  for (const [label, make] of [
    ['healthy-private', healthyPrivate],
    ['healthy-managed', () => healthyManaged()],
    ['healthy-managed-v2', () => managedV2Worlds()['healthy-managed-v2']!],
    // Issue 21: the spoke's egress through a hub firewall in another subscription.
    ['fw-hub-healthy', () => firewallWorlds()['fw-hub-healthy']!],
    // The same through a Virtual WAN secured hub (routing intent), and a firewall only a subscription search finds.
    ['vwan-hub-healthy', () => virtualWanWorlds()['vwan-hub-healthy']!],
    ['fw-owner-outside-peerings', () => virtualWanWorlds()['fw-owner-outside-peerings']!],
  ] as const)
    await oneWorld(label, make);
}

/** Round trips of the customer-VNet healthy world, which a hub-and-spoke world may exceed by 2 (issue 21). */
let spokeTrips: number | undefined;

/** Figure 1 for one world: a customer-VNet workspace, and one in a managed virtual network. */
async function oneWorld(label: string, make: () => WorldInput): Promise<void> {
  const measure = async (latencyMs: number) => {
    const world = parseWorld({ ...make(), faults: latencyMs ? [{ match: '.*', latencyMs }] : [] });
    const server = await startMockServer(world);
    const times: number[] = [];
    let requests = 0;
    let distinct = 0;
    for (let i = 0; i < 3; i++) {
      const inventory = new Inventory({ endpoint: server.url, credential: mockCredential, ca: server.ca });
      const t0 = performance.now();
      await runAudit({ inventory, checks: allChecks, workspaceIds: [ids.workspace] });
      times.push(performance.now() - t0);
      requests = inventory.requestCount;
      distinct = inventory.distinctReads;
      inventory.dispose();
    }
    await server.close();
    times.sort((a, b) => a - b);
    return { ms: times[1]!, requests, distinct };
  };
  await measure(0); // warm-up: module loading
  const fast = await measure(0);
  const slow = await measure(50);
  const trips = (slow.ms - fast.ms) / 50;
  if (label === 'healthy-private') spokeTrips = trips;
  const hub = /^(fw|vwan)-/.test(label) && spokeTrips !== undefined;
  rows.push({
    figure: `1. one workspace (${label}), 0 ms latency: wall time (median of 3)`,
    value: `${fast.ms.toFixed(0)} ms`,
    target: '',
  });
  rows.push({ figure: `1. ${label}, 50 ms latency per request: wall time`, value: `${slow.ms.toFixed(0)} ms`, target: '' });
  rows.push({
    figure: `1. ${label}: effective sequential round trips = added time / 50 ms`,
    value: trips.toFixed(1),
    target: hub ? `≤ healthy-private's + 2 hub round trips = ${(spokeTrips! + 2).toFixed(1)}` : '≤ 1.5 × dependency depth (~5) = 7.5',
  });
  rows.push({
    figure: `1. ${label}: ARM requests / distinct resources and actions read`,
    value: `${slow.requests} / ${slow.distinct}`,
    target: 'equal',
  });
}

/** One 200-workspace subscription audit in a child process, under ARM's throttling model ×10. */
async function subscriptionRun(inventory: 'arm' | 'resource-graph') {
  const { world } = subscriptionWorld(200, { groupSize: 10 });
  const throttling = {
    reads: { capacity: ARM_THROTTLING.reads.capacity, refillPerSecond: ARM_THROTTLING.reads.refillPerSecond * 10 },
    writes: { capacity: ARM_THROTTLING.writes.capacity, refillPerSecond: ARM_THROTTLING.writes.refillPerSecond * 10 },
  };
  const server = await startMockServer(parseWorld({ ...world, throttling }));
  const dir = mkdtempSync(join(tmpdir(), 'aml-preflight-bench-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, server.ca);
  const out = join(dir, 'report.json');
  const bin = join(import.meta.dirname, '..', 'src', 'cli', 'bin.js');
  const args = [
    bin,
    'audit',
    '--subscription',
    SUB,
    '--endpoint',
    server.url,
    '--format',
    'json',
    '-o',
    out,
    '--fail-on',
    'never',
    '--concurrency',
    '16',
    '--quiet',
    '--inventory',
    inventory,
  ];
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const t0 = performance.now();
  // Asynchronous: the mock answering the child lives in this process's event loop.
  const child = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
    const p = timeBin
      ? spawn(timeBin, ['-f', '%M', process.execPath, ...args], { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } })
      : spawn(process.execPath, args, { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      resolve({ stderr, code });
    });
  });
  const elapsed = (performance.now() - t0) / 1000;
  if (!existsSync(out)) throw new Error(`the audit wrote no report (exit ${child.code}): ${child.stderr.slice(0, 500)}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as AuditReport;
  const arm = server.handler.log.filter((e) => !/resourcegraph/i.test(e.path) && e.status !== 429);
  const reads = arm.filter((e) => e.method === 'GET').length;
  const writes = arm.length - reads;
  const graph = server.handler.resourceGraph;
  const throttled = server.handler.throttled;
  const bound = Math.max(
    (reads - throttling.reads.capacity) / throttling.reads.refillPerSecond,
    (writes - throttling.writes.capacity) / throttling.writes.refillPerSecond,
    0,
  );
  const peakMb = timeBin ? Number(child.stderr.trim().split('\n').pop()) / 1024 : NaN;
  await server.close();
  const verdicts = JSON.stringify(
    report.targets.map((t) => [t.workspaceId, t.results.map((r) => [r.checkId, r.status, r.findings.length])]),
  );
  return { throttling, elapsed, reads, writes, graph, throttled, bound, peakMb, report, verdicts, stderr: child.stderr };
}

/** Issue 8 (2) and (3): 200 workspaces under ARM's throttling model with time compressed ×10, read from ARM and from Resource Graph. */
async function subscription(): Promise<void> {
  const direct = await subscriptionRun('arm');
  const { throttling, elapsed, reads, writes, bound, peakMb, report } = direct;
  const decided = (r: AuditReport) => r.summary.pass + r.summary.fail + r.summary.warn + r.summary.skip;
  rows.push({
    figure: `2. 200 workspaces, ARM throttling ×10 (reads ${throttling.reads.capacity}+${throttling.reads.refillPerSecond}/s, writes ${throttling.writes.capacity}+${throttling.writes.refillPerSecond}/s): elapsed`,
    value: `${elapsed.toFixed(1)} s`,
    target: `≤ 1.2 × bound + 1 s = ${(1.2 * bound + 1).toFixed(1)} s`,
  });
  rows.push({
    figure: `2. bucket lower bound max((reads − burst)/refill, (writes − burst)/refill), ${reads} reads, ${writes} writes`,
    value: `${bound.toFixed(1)} s`,
    target: '',
  });
  rows.push({
    figure: '2. 429s answered / errored checks',
    value: `${direct.throttled} / ${report.summary.error}`,
    target: 'errored checks 0',
  });
  rows.push({
    figure: '2. peak memory of the audit process (max RSS)',
    value: Number.isNaN(peakMb) ? 'n/a' : `${peakMb.toFixed(0)} MB`,
    target: '< 300 MB',
  });
  rows.push({
    figure: '2. workspaces / checks decided',
    value: `${report.targets.length} / ${decided(report)}`,
    target: `200 / ${200 * allChecks.length}`,
  });

  const g = await subscriptionRun('resource-graph');
  const total2 = reads + writes;
  const total3 = g.reads + g.writes + g.graph.requests;
  if (g.report.stats.inventory !== 'resource-graph') throw new Error(`Resource Graph mode fell back to ARM: ${g.stderr.slice(0, 300)}`);
  rows.push({
    figure: `3. same, --inventory resource-graph: elapsed (bucket bound ${g.bound.toFixed(1)} s)`,
    value: `${g.elapsed.toFixed(1)} s`,
    target: `faster than (2): ${elapsed.toFixed(1)} s`,
  });
  rows.push({
    figure: `3. requests: ${g.graph.requests} Resource Graph + ${g.reads} ARM reads + ${g.writes} ARM key actions`,
    value: `${total3} (${((100 * total3) / total2).toFixed(0)}% of (2)'s ${total2})`,
    target: `≤ a tenth of (2) = ${Math.floor(total2 / 10)}`,
  });
  rows.push({
    figure: '3. requests other than the key actions Resource Graph cannot hold (secrets)',
    value: `${g.graph.requests + g.reads} (${((100 * (g.graph.requests + g.reads)) / reads).toFixed(0)}% of (2)'s ${reads} reads)`,
    target: '',
  });
  rows.push({
    figure: '3. Resource Graph 429s / ARM 429s / errored checks / verdicts equal to (2)',
    value: `${g.graph.throttled} / ${g.throttled} / ${g.report.summary.error} / ${g.verdicts === direct.verdicts ? 'yes' : 'NO'}`,
    target: 'errored 0, equal',
  });
  rows.push({
    figure: '3. peak memory (max RSS)',
    value: Number.isNaN(g.peakMb) ? 'n/a' : `${g.peakMb.toFixed(0)} MB`,
    target: '< 300 MB',
  });
}

/** Issue 8 (4): start-up against bare Node. */
function startup(): void {
  // The executable the package installs: the bundle.
  const bin = join(import.meta.dirname, '..', 'bundle', 'aml-preflight.mjs');
  // A code cache of this run's own, warmed by the first start (src/cli/code-cache.ts).
  const env = { ...process.env, AML_PREFLIGHT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'aml-bench-code-cache-')) };
  const median = (args: string[]) => {
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, args, { stdio: 'ignore', env });
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[4]!;
  };
  const bare = median(['-e', '0']);
  const version = median([bin, '--version']);
  const checks = median([bin, 'checks']);
  rows.push({ figure: '4. node -e 0 (median of 9)', value: `${bare.toFixed(0)} ms`, target: '' });
  rows.push({
    figure: '4. aml-preflight --version',
    value: `${version.toFixed(0)} ms (${(version / bare).toFixed(2)}×)`,
    target: '≤ 2.5× bare Node',
  });
  rows.push({
    figure: '4. aml-preflight checks',
    value: `${checks.toFixed(0)} ms (${(checks / bare).toFixed(2)}×)`,
    target: '≤ 2.5× bare Node',
  });
}

/**
 * Issue 14 (5): a whole `aml-preflight audit` process, as a preflight gate runs it, against a local
 * ARM endpoint at 0 ms (`aml-preflight mock` in another process), and with `--mock` (the mock in
 * process), each against bare Node (median of 7).
 */
async function wholeProcess(): Promise<void> {
  const bin = join(import.meta.dirname, '..', 'bundle', 'aml-preflight.mjs');
  const unbundled = join(import.meta.dirname, '..', 'src', 'cli', 'bin.js');
  const world = join(import.meta.dirname, '..', '..', 'mocks', 'worlds', 'healthy-private.json');
  const mock = spawn(process.execPath, [bin, 'mock', '--world', world], { stdio: ['ignore', 'pipe', 'ignore'] });
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    mock.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ctrl-C stops it.')) resolve(out);
    });
    mock.once('exit', () => {
      reject(new Error(`aml-preflight mock exited: ${out}`));
    });
  });
  const url = /as ARM at (\S+)/.exec(banner)![1]!;
  const ca = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(banner)![1]!;
  // The bundle's code cache (src/cli/code-cache.ts) in a folder of this run's own: warmed by the first
  // start, as every start after a gate's first is; `cold` gives each start an empty one.
  const caches: string[] = [];
  const newCache = () => {
    caches.push(mkdtempSync(join(tmpdir(), 'aml-bench-code-cache-')));
    return caches.at(-1)!;
  };
  const codeCache = newCache();
  const median = (args: string[], env: NodeJS.ProcessEnv = process.env, cold = false) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const cacheDir = cold ? newCache() : codeCache;
      const t0 = performance.now();
      try {
        execFileSync(process.execPath, args, { stdio: 'ignore', env: { ...env, AML_PREFLIGHT_CACHE_DIR: cacheDir } });
      } catch (err) {
        // Exit codes 1 and 3 are verdicts; healthy-private exits 0.
        if ((err as { status?: number }).status === undefined || (err as { status?: number }).status! > 3) throw err;
      }
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[3]!;
  };
  try {
    const bare = median(['-e', '0']);
    const audit = [bin, 'audit', '--endpoint', url, '--workspace', ids.workspace, '--format', 'json'];
    const trusted = { ...process.env, NODE_EXTRA_CA_CERTS: ca };
    const endpoint = median(audit, trusted);
    const first = median(audit, trusted, true);
    const inProcess = median([bin, 'audit', '--mock', world, '--format', 'json']);
    const loose = median([unbundled, 'audit', '--endpoint', url, '--workspace', ids.workspace, '--format', 'json'], trusted);
    rows.push({ figure: '5. node -e 0 (median of 7)', value: `${bare.toFixed(0)} ms`, target: '' });
    rows.push({
      figure: '5. aml-preflight audit (healthy-private) against a local endpoint at 0 ms, whole process',
      value: `${endpoint.toFixed(0)} ms (${(endpoint / bare).toFixed(1)}×)`,
      target: '≤ 6× bare Node (issue 22; ≤ 8× first)',
    });
    rows.push({
      figure: '5. the same audit, first start (empty code cache: compiles, and writes the cache at exit)',
      value: `${first.toFixed(0)} ms (${(first / bare).toFixed(1)}×)`,
      target: '',
    });
    rows.push({
      figure: '5. aml-preflight audit --mock (mock in process), whole process',
      value: `${inProcess.toFixed(0)} ms (${(inProcess / bare).toFixed(1)}×)`,
      target: '',
    });
    rows.push({
      figure: '5. the same local-endpoint audit from the unbundled dist/src (for comparison)',
      value: `${loose.toFixed(0)} ms (${(loose / bare).toFixed(1)}×)`,
      target: '',
    });
  } finally {
    mock.kill('SIGINT');
    for (const dir of caches) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 15: a whole-tenant audit (`--management-group` over 10 subscriptions, 16 workspaces at a
 * time, no throttling) by the bundled CLI in a child process, the mock in this one. CLI CPU and
 * peak memory come from /usr/bin/time; the mock's CPU is this process's over the same run.
 */
async function tenantRun(count: number) {
  const { world } = subscriptionWorld(count, { groupSize: 10, subscriptions: 10 });
  const server = await startMockServer(parseWorld(world));
  const dir = mkdtempSync(join(tmpdir(), 'aml-preflight-tenant-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, server.ca);
  const out = join(dir, 'report.json');
  const bin = join(import.meta.dirname, '..', 'bundle', 'aml-preflight.mjs');
  const args = [bin, 'audit', '--management-group', 'mg-generated', '--endpoint', server.url, '--format', 'json', '-o', out];
  args.push('--fail-on', 'never', '--concurrency', '16', '--quiet');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const child = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
    const p = spawn('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      resolve({ stderr, code });
    });
  });
  const wall = (performance.now() - t0) / 1000;
  const mockCpu = process.cpuUsage(cpu0);
  await server.close();
  if (!existsSync(out)) throw new Error(`the tenant audit wrote no report (exit ${child.code}): ${child.stderr.slice(0, 500)}`);
  const [user, sys, maxKb] = child.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
  const report = JSON.parse(readFileSync(out, 'utf8')) as AuditReport;
  return {
    count,
    wall,
    cpu: user + sys,
    peakMb: maxKb / 1024,
    mockCpu: (mockCpu.user + mockCpu.system) / 1e6,
    reportBytes: statSync(out).size,
    audited: report.targets.length,
    subscriptions: report.scope?.subscriptions.length ?? 0,
    errors: report.summary.error,
  };
}

async function tenant(): Promise<void> {
  if (!existsSync('/usr/bin/time')) {
    rows.push({ figure: '6. whole-tenant audit', value: 'n/a (needs /usr/bin/time)', target: '' });
    return;
  }
  const small = await tenantRun(200);
  const large = await tenantRun(2000);
  for (const r of [small, large]) {
    rows.push({
      figure: `6. ${r.count.toLocaleString('en')} workspaces in 10 subscriptions (--management-group), 16 at a time: wall / CLI CPU / peak memory`,
      value: `${r.wall.toFixed(1)} s / ${r.cpu.toFixed(1)} s / ${r.peakMb.toFixed(0)} MB`,
      target: r.count === 2000 ? 'peak memory ≤ 400 MB' : '',
    });
    rows.push({
      figure: `6. ${r.count.toLocaleString('en')}: workspaces audited / subscriptions / errored checks`,
      value: `${r.audited} / ${r.subscriptions} / ${r.errors}`,
      target: `${r.count} / 10 / 0`,
    });
    rows.push({
      figure: `6. ${r.count.toLocaleString('en')}: the mock's CPU (this process) / wall`,
      value: `${r.mockCpu.toFixed(1)} s (${((100 * r.mockCpu) / r.wall).toFixed(0)}% of wall)`,
      target: 'never the bottleneck: well under the CLI CPU',
    });
  }
  const perWs = (r: typeof small) => (1000 * r.cpu) / r.count;
  rows.push({
    figure: '6. CLI CPU per workspace, 2,000 against 200',
    value: `${perWs(large).toFixed(1)} ms vs ${perWs(small).toFixed(1)} ms (${(perWs(large) / perWs(small)).toFixed(2)}×)`,
    target: '≤ 1.3×',
  });
  rows.push({
    figure: '6. report bytes per workspace, 2,000 against 200',
    value: `${(large.reportBytes / large.count / 1024).toFixed(2)} KB vs ${(small.reportBytes / small.count / 1024).toFixed(2)} KB`,
    target: 'constant',
  });
}

/** Issue 15: what `npm pack` ships. */
function tarball(): void {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: packageRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const info = (JSON.parse(out) as { size: number; unpackedSize: number; entryCount: number }[])[0]!;
  rows.push({
    figure: `7. npm package: tarball / unpacked (${info.entryCount} files)`,
    value: `${(info.size / 1e6).toFixed(2)} MB / ${(info.unpackedSize / 1e6).toFixed(1)} MB`,
    target: 'small',
  });
}

/**
 * Issue 21: a firewall policy of 2,000 rules in 20 collections (network and application, Allow and
 * Deny, in two rule collection groups) against every prefix of MicrosoftContainerRegistry and
 * AzureFrontDoor.FirstParty, IPv4 and IPv6, and MCR's two names.
 */
function firewallEvaluator(): void {
  const index = tags();
  const names = [
    'MicrosoftContainerRegistry.WestEurope',
    'AzureFrontDoor.FirstParty',
    'Storage.WestEurope',
    'AzureMachineLearning',
    'AzureCloud.westeurope',
  ];
  let seed = 21;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const collections = Array.from({ length: 20 }, (_, c) => ({
    ruleCollectionType: 'FirewallPolicyFilterRuleCollection',
    name: `rc-${c}`,
    priority: 100 + c * 10,
    action: { type: rnd(3) === 0 ? 'Deny' : 'Allow' },
    rules: Array.from({ length: 100 }, (_, r) =>
      c % 2 === 0
        ? {
            ruleType: 'NetworkRule',
            name: `net-${c}-${r}`,
            sourceAddresses: [['*', '10.62.8.0/25', '10.62.8.128-10.62.8.255', '10.99.0.0/16'][rnd(4)]!],
            destinationAddresses: [rnd(2) === 0 ? names[rnd(names.length)]! : `${20 + rnd(30)}.${rnd(256)}.${rnd(256)}.0/${16 + rnd(9)}`],
            destinationPorts: [['*', '443', '80', '400-500', '8443'][rnd(5)]!],
            ipProtocols: [['TCP', 'UDP', 'Any'][rnd(3)]!],
          }
        : {
            ruleType: 'ApplicationRule',
            name: `app-${c}-${r}`,
            sourceAddresses: [['*', '10.62.8.0/25', '10.99.0.0/16'][rnd(3)]!],
            protocols: [{ protocolType: 'Https', port: 443 }],
            targetFqdns: [[`host-${r}.example.com`, `*.svc-${r}.example.net`, 'westeurope.data.mcr.microsoft.com'][rnd(3)]!],
          },
    ),
  }));
  const groups: ArmRuleCollectionGroup[] = [0, 1].map((g) => ({
    name: `rcg-${g}`,
    properties: { priority: 200 + g * 100, ruleCollections: collections.filter((_, i) => i % 2 === g) as never },
  }));
  const policy = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/fwp-bench' };
  const ctx = { tags: index, ipGroups: new Map() };
  const flow = { source: ['10.62.8.0/24'], protocol: 'TCP' as const, port: 443, application: 'Https' as const };
  const mcr = { addresses: index.get('MicrosoftContainerRegistry')!.prefixes, fqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'] };
  const afd = { addresses: index.get('AzureFrontDoor.FirstParty')!.prefixes };
  const once = () => {
    // Normalising the policy is part of the cost: the check does it once per firewall.
    const rules = policyRules('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/afw-bench', [
      { policy, groups },
    ]);
    return [evaluateFirewall(rules, mcr, flow, ctx), evaluateFirewall(rules, afd, flow, ctx)];
  };
  once(); // warm-up
  const runs = 5;
  const times: number[] = [];
  let decisions = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    decisions = once().reduce((n, e) => n + e.decisions.length, 0);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  rows.push({
    figure: `8. firewall evaluator: 2,000 rules in 20 collections × ${mcr.addresses.length + afd.addresses.length} MCR + Front Door prefixes and MCR's 2 names, ${decisions} decisions (median of ${runs})`,
    value: `${times[Math.floor(runs / 2)]!.toFixed(1)} ms`,
    target: '≪ 50 ms',
  });
}

// `npm run bench -- 6 7` runs only those figures.
const only = new Set(process.argv.slice(2));
const want = (n: string): boolean => only.size === 0 || only.has(n);
if (want('0')) {
  nsgEvaluator();
  nsgEvaluatorAdversarial();
}
if (want('1')) await oneWorkspace();
if (want('2') || want('3')) await subscription();
if (want('4')) startup();
if (want('5')) await wholeProcess();
if (want('6')) await tenant();
if (want('7')) tarball();
if (want('8')) firewallEvaluator();

const w = [
  Math.max(...rows.map((r) => r.figure.length), 6),
  Math.max(...rows.map((r) => r.value.length), 5),
  Math.max(...rows.map((r) => r.target.length), 6),
];
console.log(`${'figure'.padEnd(w[0]!)} | ${'value'.padEnd(w[1]!)} | target`);
console.log(`${'-'.repeat(w[0]!)}-|-${'-'.repeat(w[1]!)}-|-${'-'.repeat(w[2]!)}`);
for (const r of rows) console.log(`${r.figure.padEnd(w[0]!)} | ${r.value.padEnd(w[1]!)} | ${r.target}`);
