/** What the CLI talks to: the process in `bin.ts`, buffers in tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (table and colour by default). */
  isTTY: boolean;
  /** Whether stderr is a terminal (progress lines). */
  stderrIsTTY?: boolean;
  /** The terminal's width when stdout is one (the table wraps to it). */
  columns?: number;
  /** Cancels the run (Ctrl-C). */
  abortSignal?: AbortSignal;
  /** Test hooks: connection settings merged into every session. */
  connectionOverrides?: Record<string, unknown>;
}

/** The contract's codes; `exec` passes its command's code through. */
export type Exit = number;

/** What every command's `register` gets: where to write, and where to leave its exit code. */
export interface CommandContext {
  readonly io: CliIO;
  readonly setExit: (code: Exit) => void;
}
