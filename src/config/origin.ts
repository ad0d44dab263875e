import { formatPath, type PathSegment } from './positions.js';
import { ADDITIVE_ARRAYS, isTable } from './merge.js';

/** Where a value of the merged configuration came from. */
export type Origin = 'default' | 'user' | 'overlay';

/**
 * Maps every leaf of the merged config (`sandbox.image`, `mount[1]`, `agents.claude.env.FOO`) to the file
 * that set it. Entries of appended arrays are attributed one by one; other arrays as a whole.
 */
export function computeOrigins(
  config: unknown,
  user: Record<string, unknown> | null,
  overlay: Record<string, unknown> | null,
): Record<string, Origin> {
  const out: Record<string, Origin> = {};
  const walk = (value: unknown, path: PathSegment[], u: unknown, o: unknown) => {
    const dotted = path.filter((s) => typeof s === 'string').join('.');
    if (isTable(value)) {
      for (const [k, v] of Object.entries(value)) {
        walk(v, [...path, k], isTable(u) ? u[k] : undefined, isTable(o) ? o[k] : undefined);
      }
    } else if (Array.isArray(value) && ADDITIVE_ARRAYS.has(dotted)) {
      const fromUser = Array.isArray(u) ? u.length : 0;
      value.forEach((_, i) => {
        out[formatPath([...path, i])] = i < fromUser ? 'user' : 'overlay';
      });
    } else {
      out[formatPath(path)] = o !== undefined ? 'overlay' : u !== undefined ? 'user' : 'default';
    }
  };
  walk(config, [], user, overlay);
  return out;
}
