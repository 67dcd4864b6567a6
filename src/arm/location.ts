/** `West Europe` → `westeurope`: ARM accepts both, and answers both. */
export function normaliseLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
