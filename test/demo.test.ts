/** `aml-preflight demo` takes the display and output options of `audit`, end to end through the built CLI (issue 26). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/base/paths.js';

const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'demo', ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface JsonReport {
  schemaVersion: number;
  summary: Record<string, number>;
  targets: { workspaceId: string; results: { checkId: string; findings: { resourceId: string }[] }[] }[];
}

describe('aml-preflight demo', { timeout: 60_000 }, () => {
  it('--format json -o <file>: writes the JSON report to the file, nothing to stdout, exit 0 despite the findings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-demo-'));
    const file = join(dir, 'report.json');
    const r = await demo('--format', 'json', '-o', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const report = JSON.parse(await readFile(file, 'utf8')) as JsonReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.targets[0]!.workspaceId).toMatch(/\/workspaces\/mlw-mlops-prod-weu$/);
    expect(report.summary.fail).toBeGreaterThan(0);
  });

  it("-v: the table shows each finding's evidence, which the plain table leaves out", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-demo-'));
    const file = join(dir, 'report.json');
    const [verbose, plain, json] = await Promise.all([demo('-v'), demo(), demo('--format', 'json', '-o', file)]);
    expect(verbose.code).toBe(0);
    expect(plain.code).toBe(0);
    expect(json.code).toBe(0);
    expect(verbose.stderr).toBe('');
    expect(verbose.stdout).toMatch(/FAIL/);
    const report = JSON.parse(await readFile(file, 'utf8')) as JsonReport;
    const findings = report.targets.flatMap((t) => t.results.flatMap((x) => x.findings));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(verbose.stdout).toContain(`resource: ${f.resourceId}`);
    expect(plain.stdout).not.toContain('resource: ');
    expect(verbose.stdout.split('\n').length).toBeGreaterThan(plain.stdout.split('\n').length);
  });

  it('--also sarif=<file>: the table on stdout and the SARIF log in the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-demo-'));
    const file = join(dir, 'demo.sarif');
    const r = await demo('--also', `sarif=${file}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAIL/);
    const sarif = JSON.parse(await readFile(file, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it('--quiet: no progress line on stderr, even with --progress, which prints one per decided check', async () => {
    const [progress, quiet] = await Promise.all([demo('--progress'), demo('--progress', '--quiet')]);
    expect(progress.code).toBe(0);
    expect(quiet.code).toBe(0);
    expect(progress.stderr).toMatch(/^aml-preflight: 1\/\d+ checks done \(mlw-mlops-prod-weu: [a-z-]+ (pass|fail|warn|skip|error)\)$/m);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/FAIL/);
  });

  it('a bad option value is invalid usage (exit 2, one line), not a demo that ran', async () => {
    const r = await demo('--format', 'yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--format "yaml"/);
  });
});
