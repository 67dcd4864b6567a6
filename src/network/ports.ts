/**
 * One destination-port entry as NSG rules and Azure Firewall rules write it: `443`, `8000-8999`
 * (spaces around the dash allowed) or `*`. Pure.
 */

/** Whether a port entry covers `port`; malformed entries cover nothing. */
export function portCovers(entry: string, port: number): boolean {
  const t = entry.trim();
  if (t === '*') return true;
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(t);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return port >= lo && port <= hi;
}
