/**
 * Azure SDK logging (AZURE_LOG_LEVEL / AZURE_LOG_LEVEL=verbose) goes through `scrub`, so a token
 * or a key can never reach stderr through a log line, whatever the SDK decides to print.
 * https://learn.microsoft.com/javascript/api/overview/azure/logger-readme
 */
import { format } from 'node:util';
import { AzureLogger } from '@azure/logger';
import { scrub } from './secrets.js';

export function installScrubbingLogger(write: (text: string) => void = (t) => process.stderr.write(t)): void {
  AzureLogger.log = (...args: unknown[]): void => {
    write(`${scrub(format(...args))}\n`);
  };
}
