/** `snapshot`: write the ARM state an audit reads as a world file, secrets replaced by digests. */
import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import { scrub } from '../../base/secrets.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import { azureOptions, collect, pick, workspaceArg, type AzureCliOptions } from '../options.js';
import { writeFileAtomic } from '../../base/write.js';

interface SnapshotCliOptions extends AzureCliOptions {
  workspace?: string[];
  output: string;
}

export function register(program: Command, { io, setExit }: CommandContext): void {
  azureOptions(
    program
      .command('snapshot')
      .description('write the ARM state an audit reads as a world file, secrets replaced by digests')
      .option('--workspace <id>', 'ARM id of an Azure ML workspace (repeatable)', collect)
      .requiredOption('-o, --output <file>', 'the world file to write (atomically)'),
  ).action(async (opts: SnapshotCliOptions) => {
    setExit(await snapshot(opts, io));
  });
}

async function snapshot(opts: SnapshotCliOptions, io: CliIO): Promise<Exit> {
  const workspaceIds = (opts.workspace ?? []).map(workspaceArg);
  if (workspaceIds.length === 0 && !opts.mock) throw new UsageError('say which workspace to snapshot: --workspace <ARM id>');
  const { openSession, worldWorkspaceIds } = await import('../session.js');
  const { Inventory } = await import('../../inventory/index.js');
  const { runAudit } = await import('../../engine/run.js');
  const { createRecorder, snapshotDescription } = await import('../../world/snapshot.js');
  const { allChecks } = await import('../../../checks/index.js');
  const recorder = createRecorder();
  const session = await openSession({ ...pick(opts), connection: { ...(io.connectionOverrides ?? {}), onResponse: recorder.onResponse } });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const targets = workspaceIds.length > 0 ? workspaceIds : worldWorkspaceIds(session.world!);
    // Every check reads what it needs; the recorder keeps each answer (secrets as digests).
    const report = await runAudit({
      inventory,
      checks: allChecks,
      workspaceIds: targets,
      ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
    });
    const world = recorder.world(snapshotDescription(targets));
    await writeFileAtomic(opts.output, `${JSON.stringify(world, null, 2)}\n`);
    const errors = report.targets.flatMap((t) =>
      t.results.filter((r) => r.status === 'error').map((r) => `${r.checkId}: ${r.reason ?? ''}`),
    );
    io.stderr(
      `aml-preflight: wrote ${opts.output}: ${world.resources.length} resources, ${Object.keys(world.responses ?? {}).length} other answers, ${report.stats.armRequests} ARM requests\n`,
    );
    for (const e of errors) io.stderr(`aml-preflight: incomplete: ${scrub(e)}\n`);
    return errors.length > 0 || report.incomplete ? 3 : 0;
  } finally {
    inventory.dispose();
    await session.close();
  }
}
