/** `mock` and `demo`: the embedded mock ARM server, for the user's own tests and for the demo audit. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import { displayOptions, type DisplayCliOptions } from '../options.js';
import { audit } from './audit.js';

export function registerMock(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('mock')
    .description('serve a world as a local ARM endpoint over HTTPS (for your own tests); Ctrl-C stops it')
    .requiredOption('--world <file>', 'the world file')
    .option('--port <n>', 'port (default: a free one)', '0')
    .action(async (opts: { world: string; port: string }) => {
      setExit(await serveMock(opts, io));
    });
}

export function registerDemo(program: Command, { io, setExit }: CommandContext): void {
  // The display and output options of `audit`, so what the README says of -v works here first.
  displayOptions(
    program.command('demo').description('audit the bundled demo world on the embedded mock (no Azure account needed)'),
    'table',
  ).action(async (opts: DisplayCliOptions) => {
    const { packageRoot } = await import('../../base/paths.js');
    // The demo's custom images: one malformed, one missing from the registry, one from a public registry the NSG blocks.
    const image = [
      'crmlopsprodweu.azurecr.io//azureml/Training/pytorch:2.3-cuda12.1',
      'crmlopsprodweu.azurecr.io/azureml/training/pytorch:2.4-cuda12.4',
      'docker.io/pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    ];
    const code = await audit(
      {
        mock: join(packageRoot, 'mocks', 'worlds', 'demo.json'),
        ...opts,
        format: opts.format ?? 'table',
        failOn: 'never',
        timeout: '120',
        withDiagnose: true,
        image,
      },
      io,
    );
    // The demo's findings are the point: it succeeds once the audit ran.
    setExit(code === 2 ? 2 : 0);
  });
}

async function serveMock(opts: { world: string; port: string }, io: CliIO): Promise<Exit> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${opts.port}" is not a port number`);
  const { loadWorld } = await import('../../world/schema.js');
  const { startMockServer } = await import('../../../mocks/server.js');
  const world = await loadWorld(opts.world);
  const server = await startMockServer(world, { port });
  const caFile = join(await mkdtemp(join(tmpdir(), 'aml-preflight-mock-')), 'mock-ca.pem');
  await writeFile(caFile, server.ca);
  io.stdout(
    [
      `Serving ${opts.world} as ARM at ${server.url}`,
      `Trust its certificate: export NODE_EXTRA_CA_CERTS=${caFile}`,
      `Then: aml-preflight audit --endpoint ${server.url} --workspace <id>   (any bearer token is accepted)`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (io.abortSignal?.aborted) resolve();
    io.abortSignal?.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
  await server.close();
  return 0;
}
