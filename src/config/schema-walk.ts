import type { z } from 'zod';
import type { PathSegment } from './positions.js';

/**
 * Reads the zod schema as data, so error messages can say what a key allows without repeating it.
 * Uses zod 4's public `_zod.def` description of each schema.
 */

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  keyType?: AnySchema;
  valueType?: AnySchema;
  entries?: Record<string, string>;
  options?: AnySchema[];
}

function def(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def;
}

/** Strips defaults, optionals, transforms and the like down to the schema that describes the value. */
export function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (d.type === 'pipe' && d.in) s = d.in;
    else if (
      d.innerType &&
      ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(d.type)
    )
      s = d.innerType;
    else return s;
  }
}

/** The schema of the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt(root: AnySchema, path: readonly PathSegment[]): AnySchema | undefined {
  let s: AnySchema | undefined = unwrap(root);
  for (const seg of path) {
    if (!s) return undefined;
    const d = def(s);
    if (d.type === 'object' && typeof seg === 'string') s = d.shape?.[seg];
    else if (d.type === 'array' && typeof seg === 'number') s = d.element;
    else if (d.type === 'record' && typeof seg === 'string') s = d.valueType;
    else return undefined;
    if (s) s = unwrap(s);
  }
  return s;
}

/** The keys a table allows (object fields, or the fixed key set of a record over an enum). */
export function allowedKeys(schema: AnySchema | undefined): string[] {
  if (!schema) return [];
  const d = def(unwrap(schema));
  if (d.type === 'object') return Object.keys(d.shape ?? {});
  if (d.type === 'record' && d.keyType) {
    const k = def(unwrap(d.keyType));
    if (k.type === 'enum') return Object.values(k.entries ?? {});
  }
  return [];
}

/** The values an enum allows, or undefined for other schemas. */
export function enumValues(schema: AnySchema | undefined): string[] | undefined {
  if (!schema) return undefined;
  const d = def(unwrap(schema));
  return d.type === 'enum' ? Object.values(d.entries ?? {}) : undefined;
}

/** A short phrase for what a value may be: `a string`, `one of "ro", "rw"`, `a list of strings`. */
export function describeAllowed(schema: AnySchema | undefined, plural = false): string {
  if (!schema) return 'nothing (this key is unknown)';
  const s = unwrap(schema);
  const d = def(s);
  const isInt = (s as unknown as { format?: string }).format === 'safeint';
  switch (d.type) {
    case 'string':
      return plural ? 'strings' : 'a string';
    case 'number':
      if (isInt) return plural ? 'integers' : 'an integer';
      return plural ? 'numbers' : 'a number';
    case 'boolean':
      return plural ? 'booleans' : 'true or false';
    case 'enum': {
      const values = Object.values(d.entries ?? {})
        .map((v) => JSON.stringify(v))
        .join(', ');
      return plural ? `values from ${values}` : `one of ${values}`;
    }
    case 'array':
      return `${plural ? 'lists' : 'a list'} of ${d.element ? describeAllowed(d.element, true) : 'values'}`;
    case 'object':
      return `${plural ? 'tables' : 'a table'} with keys ${allowedKeys(s).join(', ')}`;
    case 'record':
      return plural ? 'tables' : 'a table';
    case 'union':
      return (d.options ?? []).map((o) => describeAllowed(o, plural)).join(' or ');
    default:
      return plural ? 'values' : 'a value';
  }
}
