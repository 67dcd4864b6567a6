/** The format names, apart from the renderers so the CLI can validate `--format` without loading them. */
import { UsageError } from '../base/errors.js';

export const FORMATS = ['table', 'json', 'sarif', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(value: string, flag = '--format'): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`${flag} "${value}" is not one of ${FORMATS.join(', ')}`);
  return value as Format;
}
