/**
 * `$.resources[3].id`: where in a user's file (world, config, Terraform plan, report) a value is
 * wrong, from zod's issue path. Apart from the schemas, so naming a path loads none of them.
 */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const p of path)
    out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`;
  return out;
}
