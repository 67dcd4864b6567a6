/** `merge`: combine JSON reports from sharded runs into one report, in any format. */
import type { Command } from 'commander';
import { FORMATS, parseFormat } from '../../report/formats.js';
import { exitCodeFor } from '../../report/types.js';
import type { CommandContext } from '../io.js';
import { parseFailOn } from '../options.js';
import { writeFileAtomic } from '../../base/write.js';

export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('merge')
    .description('combine JSON reports from sharded runs into one report, in any format')
    .argument('<report.json...>', 'reports written by audit --format json')
    .option('--format <format>', FORMATS.join('|'), 'json')
    .option('-o, --output <file>', 'write to this file (atomically) instead of stdout')
    .option('--fail-on <level>', 'error|warning|never', 'error')
    .action(async (files: string[], opts: { format: string; output?: string; failOn: string }) => {
      const format = parseFormat(opts.format);
      const failOn = parseFailOn(opts.failOn);
      const { readReport, mergeReports } = await import('../../pipeline/merge.js');
      const { allChecks } = await import('../../../checks/index.js');
      const merged = mergeReports(await Promise.all(files.map((f) => readReport(f))));
      const { render } = await import('../../report/index.js');
      const text = render(merged, format, { color: io.isTTY && !opts.output && format === 'table', checks: allChecks.map((c) => c.meta) });
      if (opts.output) await writeFileAtomic(opts.output, text);
      else io.stdout(text);
      setExit(exitCodeFor(merged, failOn));
    });
}
