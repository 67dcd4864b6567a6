#!/usr/bin/env node
/** The `aml-preflight` executable: process wiring around `main`. */
import { installScrubbingLogger } from '../base/logging.js';
import { scrub } from '../base/secrets.js';
import { main } from './main.js';

installScrubbingLogger();

// A promise abandoned by a check that already failed must not crash the run and lose the report.
process.on('unhandledRejection', (err) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`aml-preflight: internal warning (ignored): ${scrub(message.split('\n')[0] ?? '')}\n`);
});

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  // First Ctrl-C: stop requests and report what was decided (exit 3). Second: leave now.
  if (interrupts > 1) process.exit(130);
  process.stderr.write('aml-preflight: interrupted; finishing with what was decided so far (Ctrl-C again to quit now)\n');
  controller.abort(new Error('interrupted'));
});

void main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  abortSignal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  // main answers every failure with an exit code; should it ever reject, the run must not exit 0
  // (as the top-level await this replaced would not have: Node exited 1).
  (err: unknown) => {
    process.stderr.write(`aml-preflight: internal error: ${scrub(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);
