/**
 * The error every layer may raise for bad input. The other error types (ARM requests, shapes) live
 * with the code that raises them (`src/arm/errors.ts`).
 */

/** Bad input from the user (arguments, world file, config file). The CLI prints it on one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
