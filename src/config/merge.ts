/**
 * How a repo overlay combines with the user config (and the user config with the built-in defaults):
 * tables merge key by key, scalars are replaced, and a few arrays are appended instead of replaced so that
 * a later file can add entries but never drop earlier ones. Every other array is replaced as a whole.
 */

/** Arrays a later file appends to (dotted paths from the top of the file). */
export const ADDITIVE_ARRAYS: ReadonlySet<string> = new Set([
  'mount',
  'agent_mount',
  'tool',
  'secret',
  'guard.rules',
  'guard.sensitive_paths',
]);

export function isTable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

export function mergeRaw(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const current = out[key];
    if (isTable(current) && isTable(value)) out[key] = mergeRaw(current, value, path);
    else if (Array.isArray(current) && Array.isArray(value) && ADDITIVE_ARRAYS.has(path))
      out[key] = [...current, ...value];
    else out[key] = value;
  }
  return out;
}
