/** Progress on stderr while checks are decided. */
import type { CliIO } from './io.js';

/** "aml-preflight: 12/35 checks done" on a terminal's stderr, rewritten in place; elsewhere (--progress) one line each. */
export function progressLine(
  io: CliIO,
  total: number,
  terminal: boolean,
): { tick: (workspaceId: string, result: { checkId: string; status: string }) => void; done: () => void } {
  let n = 0;
  return {
    tick: (workspaceId, result) => {
      n++;
      const line = `aml-preflight: ${n}/${total} checks done (${workspaceId.split('/').pop()}: ${result.checkId}`;
      io.stderr(terminal ? `\r\u001b[2K${line})` : `${line} ${result.status})\n`);
    },
    done: () => {
      if (terminal) io.stderr('\r\u001b[2K');
    },
  };
}
