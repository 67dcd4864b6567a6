/**
 * Where a Terraform resource is declared: the `.tf` file and line of `resource "<type>" "<name>"`,
 * for SARIF. The plan's `configuration` says which module an address is in and where that module's
 * source is (a local path, relative to its caller); the files come from `--terraform-dir`, the root
 * module's directory. Modules from a registry or git, and resources the files do not declare
 * literally, are not located (their findings keep the resource address).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ConfigModule } from './plan-file.js';

export interface Declaration {
  /** The file, relative to the root module's directory. */
  readonly file: string;
  readonly line: number;
}

const RESOURCE = /^[ \t]*resource[ \t]+"([^"]+)"[ \t]+"([^"]+)"/gm;

/** Declarations by configuration address (`module.endpoints.azurerm_private_endpoint.registry`). */
export async function declarations(rootDir: string, configuration: ConfigModule | undefined): Promise<Map<string, Declaration>> {
  const out = new Map<string, Declaration>();
  const visit = async (dir: string, prefix: string, module: ConfigModule | undefined, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.tf')).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => '');
      for (const m of text.matchAll(RESOURCE)) {
        const address = `${prefix}${m[1]!}.${m[2]!}`;
        if (!out.has(address))
          out.set(address, { file: relative(rootDir, join(dir, name)), line: text.slice(0, m.index).split('\n').length });
      }
    }
    if (depth > 8) return;
    for (const [call, c] of Object.entries(module?.module_calls ?? {})) {
      const source = c.source;
      if (typeof source === 'string' && /^\.\.?\//.test(source))
        await visit(join(dir, source), `${prefix}module.${call}.`, c.module, depth + 1);
    }
  };
  await visit(rootDir, '', configuration, 0);
  return out;
}

/** `module.a["x"].azurerm_subnet.s[0]` → `module.a.azurerm_subnet.s`. */
export function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}
