/**
 * `npm run bench`: measures, prints a table, asserts nothing (tests never assert wall-clock times).
 * Each section is one figure an issue asked for.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateNsg, type NsgRule } from '../src/network/nsg.js';
import { indexServiceTags } from '../src/network/service-tags.js';
import { packageRoot } from '../src/paths.js';

interface Row {
  figure: string;
  value: string;
  target: string;
}
const rows: Row[] = [];

function tags() {
  const dir = join(packageRoot, 'mocks', 'fixtures', 'service-tags');
  return indexServiceTags({ values: readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8'))) });
}

/** Issue 3: an NSG of 1,000 rules against the full MicrosoftContainerRegistry and Front Door data. */
function nsgEvaluator(): void {
  const index = tags();
  const names = ['MicrosoftContainerRegistry', 'AzureFrontDoor.FirstParty', 'Storage.WestEurope', 'AzureMachineLearning', 'AzureCloud.westeurope'];
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
  const nsg = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-bench', securityRules: rules };
  const destination = [...index.get('MicrosoftContainerRegistry')!.prefixes, ...index.get('AzureFrontDoor.FirstParty')!.prefixes].filter((p) => !p.includes(':'));
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
  rows.push({ figure: `NSG evaluator: 1,000 rules × ${destination.length} MCR + Front Door IPv4 prefixes (median of ${runs})`, value: `${times[Math.floor(runs / 2)]!.toFixed(1)} ms`, target: '≪ 1,000 ms' });
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
  const nsg = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-bench', securityRules: rules };
  const ctx = { virtualNetwork: ['10.20.0.0/16'], tags: index };
  const t0 = performance.now();
  const e = evaluateNsg(nsg, { source: ['10.20.1.0/24'], destination, protocol: 'Tcp', port: 443 }, ctx);
  const ms = performance.now() - t0;
  rows.push({ figure: `NSG evaluator, adversarial: 1,000 slicing rules × ${destination.length} prefixes (IPv4+IPv6), ${e.decisions.length} decisions`, value: `${ms.toFixed(1)} ms`, target: '≪ 1,000 ms' });
}

nsgEvaluator();
nsgEvaluatorAdversarial();

const w = [Math.max(...rows.map((r) => r.figure.length), 6), Math.max(...rows.map((r) => r.value.length), 5), Math.max(...rows.map((r) => r.target.length), 6)];
console.log(`${'figure'.padEnd(w[0]!)} | ${'value'.padEnd(w[1]!)} | target`);
console.log(`${'-'.repeat(w[0]!)}-|-${'-'.repeat(w[1]!)}-|-${'-'.repeat(w[2]!)}`);
for (const r of rows) console.log(`${r.figure.padEnd(w[0]!)} | ${r.value.padEnd(w[1]!)} | ${r.target}`);
