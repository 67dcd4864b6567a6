/** The user's cache folder for aml-preflight: key-resync locks and state, and the CLI's code cache. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** $AML_PREFLIGHT_CACHE_DIR, else $XDG_CACHE_HOME/aml-preflight, else %LOCALAPPDATA%\aml-preflight\Cache on Windows, else ~/.cache/aml-preflight. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AML_PREFLIGHT_CACHE_DIR) return env.AML_PREFLIGHT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'aml-preflight');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'aml-preflight', 'Cache');
  return join(homedir(), '.cache', 'aml-preflight');
}
