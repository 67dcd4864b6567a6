/**
 * The GitHub Action (action.yml) run the way the runner runs a composite action: each `run` step
 * in `bash --noprofile --norc -eo pipefail`, its `env` from the action's expressions, `uses` steps
 * recorded with their `if` decided, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY in temporary files. The
 * audit reads the mock (`mock` input), so the command lines are the ones a workflow runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../src/base/paths.js';
import { worldPath } from './helpers.js';
import { RG, SUB } from '../mocks/worlds/generate.js';
import { whatIfCases } from '../mocks/worlds/what-if.js';

const run = promisify(execFile);

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}
interface Action {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

let action: Action;
beforeAll(async () => {
  action = parse(await readFile(join(packageRoot, 'action.yml'), 'utf8')) as Action;
});

interface Context {
  inputs: Record<string, string>;
  github: Record<string, string>;
  runner: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string> }>;
}

/** A context path (`inputs.fail-on`, `steps.audit.outputs.exit-code`). */
function lookup(ctx: Context, path: string): string {
  const parts = path.split('.');
  let v: unknown = ctx;
  for (const p of parts) v = (v as Record<string, unknown> | undefined)?.[p];
  return typeof v === 'string' ? v : '';
}

/** The subset of GitHub's expression language action.yml uses: ==, !=, &&, ||, (), strings, always(). */
function evaluate(expr: string, ctx: Context): boolean | string {
  const tokens = expr.match(/'[^']*'|==|!=|&&|\|\||\(|\)|[\w.-]+\(\)|[\w.-]+/g) ?? [];
  let i = 0;
  const primary = (): boolean | string => {
    const t = tokens[i++]!;
    if (t === '(') {
      const v = or();
      i++; // )
      return v;
    }
    if (t === 'always()') return true;
    if (t.startsWith("'")) return t.slice(1, -1);
    return lookup(ctx, t);
  };
  const compare = (): boolean | string => {
    const left = primary();
    if (tokens[i] === '==' || tokens[i] === '!=') {
      const op = tokens[i++];
      const right = primary();
      return op === '==' ? left === right : left !== right;
    }
    return left;
  };
  const and = (): boolean | string => {
    let v = compare();
    while (tokens[i] === '&&') {
      i++;
      const r = compare();
      v = Boolean(v) && Boolean(r);
    }
    return v;
  };
  const or = (): boolean | string => {
    let v = and();
    while (tokens[i] === '||') {
      i++;
      const r = and();
      v = Boolean(v) || Boolean(r);
    }
    return v;
  };
  return or();
}

const substitute = (s: string, ctx: Context): string => s.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => String(evaluate(e, ctx)));

interface ActionRun {
  outputs: Record<string, string>;
  summary: string;
  ran: string[];
  used: string[];
  failed?: { step: string; code: number; stderr: string };
}

async function runAction(inputs: Record<string, string>, event: string): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-action-'));
  const outputFile = join(dir, 'github_output');
  const summaryFile = join(dir, 'step_summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
  const ctx: Context = {
    inputs: { ...defaults, ...inputs },
    github: { action_path: packageRoot, event_name: event },
    runner: { temp: dir },
    steps: {},
  };
  const result: ActionRun = { outputs: {}, summary: '', ran: [], used: [] };
  for (const step of action.runs.steps) {
    // A step without `if` runs only while nothing failed (GitHub's implicit success()).
    if (step.if ? !evaluate(step.if, ctx) : result.failed) continue;
    if (step.uses) {
      result.used.push(
        `${step.uses} ${JSON.stringify(Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(v, ctx)])))}`,
      );
      continue;
    }
    const script = join(dir, `${step.id ?? result.ran.length}.sh`);
    await writeFile(script, step.run!);
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, ctx)]));
    result.ran.push(step.name);
    try {
      await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: summaryFile,
          GITHUB_ACTION_PATH: packageRoot,
          RUNNER_TEMP: dir,
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { code: number; stderr: string; stdout: string };
      result.failed = { step: step.name, code: e.code, stderr: e.stderr + e.stdout };
    }
    const written = Object.fromEntries(
      (await readFile(outputFile, 'utf8'))
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    if (step.id) ctx.steps[step.id] = { outputs: written };
  }
  result.outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, substitute(v.value, ctx)]));
  result.summary = await readFile(summaryFile, 'utf8');
  return result;
}

describe('action.yml', () => {
  it('declares the inputs and outputs users wire up', () => {
    expect(action.runs.using).toBe('composite');
    for (const input of [
      'workspace',
      'subscription',
      'resource-group',
      'management-group',
      'inventory',
      'checks',
      'fail-on',
      'config',
      'baseline',
      'format',
      'output',
      'upload-sarif',
      'summary',
    ]) {
      expect(action.inputs, input).toHaveProperty(input);
    }
    expect(action.inputs['upload-sarif']!.default).toBe('auto');
    expect(action.inputs.summary!.default).toBe('true');
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'new-findings', 'report']);
    // Inputs reach scripts through env only: an input spliced into a script is an injection.
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toMatch(/\$\{\{/);
  });

  let first: ActionRun;
  let dirOfReport: string;
  it('on push: a failing workspace fails the job after writing the report, the summary and the SARIF upload', async () => {
    first = await runAction({ mock: worldPath('nsg-frontdoor-missing'), format: 'sarif' }, 'push');
    expect(first.ran, JSON.stringify(first)).toEqual(['Install and build aml-preflight', 'Audit', 'Job summary', 'Fail on findings']);
    expect(first.outputs['exit-code'], JSON.stringify(first)).toBe('1');
    expect(first.used.map((u) => u.split(' ')[0])).toEqual(['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']);
    expect(first.used[1]).toContain('report.sarif');
    expect(first.outputs['exit-code']).toBe('1');
    const sarif = JSON.parse(await readFile(first.outputs.report!, 'utf8')) as { runs: { results: unknown[] }[] };
    expect(Number(first.outputs['new-findings'])).toBe(sarif.runs[0]!.results.length);
    expect(Number(first.outputs['new-findings'])).toBeGreaterThan(0);
    expect(first.summary).toContain('# aml-preflight report');
    expect(first.summary).toContain('nsg-outbound-service-tags');
    expect(first.failed).toMatchObject({ step: 'Fail on findings', code: 1 });
    expect(first.failed!.stderr).toContain('::error title=aml-preflight::the audit exited 1');
    dirOfReport = join(first.outputs.report!, '..');
  });

  it('with the last run as baseline on a pull request: 0 new findings, the job passes, nothing uploaded', async () => {
    const second = await runAction(
      { mock: worldPath('nsg-frontdoor-missing'), baseline: join(dirOfReport, 'report.json'), format: 'markdown' },
      'pull_request',
    );
    expect(second.outputs['exit-code']).toBe('0');
    expect(second.outputs['new-findings']).toBe('0');
    expect(second.failed).toBeUndefined();
    expect(second.used.map((u) => u.split(' ')[0])).toEqual(['actions/setup-node@v4']);
    expect(await readFile(second.outputs.report!, 'utf8')).toContain('**Since the baseline**');
    expect(second.summary).toContain('0 new, ');
  });

  it('what-if on a pull request: the job fails on what the deployment introduces, and says so in Markdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-action-what-if-'));
    const c = whatIfCases().find((x) => x.name === 'whatif-deny-above-mcr')!;
    await writeFile(join(dir, 'world.json'), JSON.stringify(c.world));
    await writeFile(join(dir, 'template.json'), JSON.stringify(c.template, null, 2));
    const r = await runAction(
      {
        mock: join(dir, 'world.json'),
        'what-if': join(dir, 'template.json'),
        subscription: SUB,
        'resource-group': RG,
        format: 'markdown',
        output: join(dir, 'what-if.md'),
      },
      'pull_request',
    );
    expect(r.outputs['exit-code']).toBe('1');
    // MCR and Front Door, and the seven tags compute needs (compute-outbound).
    expect(r.outputs['new-findings']).toBe('9');
    expect(await readFile(join(dir, 'what-if.md'), 'utf8')).toContain('## This deployment would…');
    expect(r.failed).toMatchObject({ step: 'Fail on findings', code: 1 });
  });

  it('a Terraform plan on a pull request: the job fails on what the plan introduces, and says so in Markdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-action-terraform-'));
    const r = await runAction(
      {
        mock: worldPath('healthy-private'),
        'terraform-plan': join(packageRoot, 'test', 'fixtures', 'terraform', 'nsg-deny-above-mcr', 'plan.json'),
        subscription: SUB,
        format: 'markdown',
        output: join(dir, 'terraform.md'),
      },
      'pull_request',
    );
    expect(r.outputs['exit-code'], JSON.stringify(r)).toBe('1');
    expect(Number(r.outputs['new-findings'])).toBeGreaterThan(0);
    expect(await readFile(join(dir, 'terraform.md'), 'utf8')).toContain('nsg-outbound-service-tags');
    expect(r.failed).toMatchObject({ step: 'Fail on findings', code: 1 });
  });

  it('bad input: exit-code 2, no upload, the job fails with the reason', async () => {
    const bad = await runAction({ workspace: 'not-an-arm-id', 'upload-sarif': 'true' }, 'push');
    expect(bad.outputs['exit-code']).toBe('2');
    expect(bad.used.map((u) => u.split(' ')[0])).toEqual(['actions/setup-node@v4']);
    expect(bad.failed).toMatchObject({ step: 'Fail on findings', code: 2 });
  });
});
