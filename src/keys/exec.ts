/**
 * Automatic resync after 401s: run a command with its output passed through live; if it fails and
 * its output carries a registry/storage 401 signature, resync the workspace keys under the lock and
 * rerun it once. The exit code is the command's.
 */
import { spawn } from 'node:child_process';
import type { Inventory } from '../inventory/index.js';
import { findUnauthorizedSignature, type UnauthorizedSignature } from './signatures.js';
import { resyncIfDrifted, type ResyncOptions, type ResyncOutcome } from './resync.js';

export interface ExecOptions extends ResyncOptions {
  stdout(chunk: string): void;
  stderr(chunk: string): void;
  /** How much of the latest output is kept to look for a signature. Default 256 KiB. */
  tailBytes?: number;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly signature?: UnauthorizedSignature;
  readonly resync?: ResyncOutcome;
  readonly reran: boolean;
}

interface RunOnce {
  exitCode: number;
  tail: string;
}

function runOnce(command: readonly string[], options: ExecOptions): Promise<RunOnce> {
  const limit = options.tailBytes ?? 256 * 1024;
  return new Promise((resolve) => {
    let tail = '';
    const keep = (s: string): void => {
      tail = (tail + s).slice(-limit);
    };
    const child = spawn(command[0]!, command.slice(1), { stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      options.stdout(s);
      keep(s);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      options.stderr(s);
      keep(s);
    });
    const onAbort = (): void => void child.kill('SIGTERM');
    options.abortSignal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => {
      options.abortSignal?.removeEventListener('abort', onAbort);
      options.stderr(`aml-preflight: cannot run ${command[0]}: ${err.code ?? err.message}\n`);
      resolve({ exitCode: err.code === 'ENOENT' ? 127 : 126, tail });
    });
    child.once('close', (code, signal) => {
      options.abortSignal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? 128 + (signal ? signalNumber(signal) : 1), tail });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}

export async function execWithResync(
  command: readonly string[],
  inventory: Inventory,
  workspaceId: string,
  options: ExecOptions,
): Promise<ExecResult> {
  if (command.length === 0) throw new TypeError('exec needs a command after --');
  const started = Date.now();
  const first = await runOnce(command, options);
  if (first.exitCode === 0) return { exitCode: 0, reran: false };
  const signature = findUnauthorizedSignature(first.tail);
  if (!signature) return { exitCode: first.exitCode, reran: false };
  options.stderr(`aml-preflight: the command failed with a ${signature.source} 401 (${signature.id}); checking the workspace keys\n`);
  const resync = await resyncIfDrifted(inventory, workspaceId, {
    ...options,
    since: started,
    onProgress: (line) => {
      options.stderr(`aml-preflight: ${line}\n`);
    },
  });
  if (resync.action === 'none-needed') {
    options.stderr('aml-preflight: the workspace keys are in sync, so a resync would not help; not rerunning\n');
    return { exitCode: first.exitCode, signature, resync, reran: false };
  }
  if (!resync.inSync) {
    options.stderr(`aml-preflight: the keys are still out of sync (${resync.action}); not rerunning\n`);
    return { exitCode: first.exitCode, signature, resync, reran: false };
  }
  options.stderr('aml-preflight: keys resynced; running the command again\n');
  const second = await runOnce(command, options);
  return { exitCode: second.exitCode, signature, resync, reran: true };
}
