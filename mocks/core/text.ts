/** Text of a free-form JSON value the mock reads from a world or a request: strings and numbers as they are, anything else as `fallback`. */
export function text(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}
