import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { escapeText, quoteText, scrubText } from '../util/terminal-text.js';
import { displayPath, type PathSegment, type Position, type PositionMap } from './positions.js';
import { ConfigSchema } from './schema.js';
import { allowedKeys, describeAllowed, enumValues, schemaAt } from './schema-walk.js';
import { showValue } from './show-value.js';
import { closest } from './suggest.js';

export const DOCS_HINT = 'see docs/CONFIG.md, or `ags config schema` for every key';

/** A parsed config file: what error messages need to point into it. */
export interface SourceFile {
  path: string;
  positions: PositionMap;
  raw: Record<string, unknown>;
}

/** The longest message (after the location) a config error prints; values in it are cut before that. */
const MAX_MESSAGE = 1000;

/**
 * `FILE:LINE:COL: KEY: MESSAGE`, with an optional hint line. The file and the key are escaped here; values
 * quoted in the message are escaped where they are quoted (showValue, quoteText), and the message is
 * scrubbed once more as a whole, so nothing a config file holds reaches the terminal raw.
 */
export function errorAt(
  file: string,
  pos: Position,
  key: readonly PathSegment[],
  message: string,
  hint?: string,
): ConfigError {
  const where = `${escapeText(file, 4096)}:${pos.line}:${pos.col}`;
  const what = key.length > 0 ? `${displayPath(key)}: ` : '';
  const text = scrubText(message);
  const shown = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}... [cut]` : text;
  return new ConfigError(`${where}: ${what}${shown}`, hint === undefined ? undefined : scrubText(hint));
}

export function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** The TOML name of a parsed value's type, for "expected X, got Y". */
export function tomlType(v: unknown): string {
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'bigint') return 'an integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a float';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date-time';
  if (v && typeof v === 'object') return 'a table';
  return 'nothing';
}

type Issue = z.core.$ZodIssue;

interface Described {
  /** The key the message is about. */
  key: PathSegment[];
  /** Where to point: the key itself, or its table when the key is missing. */
  at: PathSegment[];
  message: string;
  hint?: string;
}

/** Keys an earlier 0.x version had, and where they are now. */
const MOVED_KEYS: Record<string, string> = {
  'runtime.oci_runtime': 'set it under [runtime.podman]',
  'runtime.ulimits': 'set it under [runtime.podman]',
  'runtime.extra_args': 'set it under [runtime.podman]',
};

function describeIssue(issue: Issue, raw: unknown): Described {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(raw, path) === undefined) {
    return {
      key: path,
      at: path.slice(0, -1),
      message: `missing required key; allowed: ${describeAllowed(schemaAt(ConfigSchema, path))}`,
      hint: DOCS_HINT,
    };
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      const allowed = allowedKeys(schemaAt(ConfigSchema, path));
      const guess = closest(key, allowed);
      const moved = MOVED_KEYS[[...path, key].join('.')];
      return {
        key: [...path, key],
        at: [...path, key],
        message: `unknown key; allowed: ${allowed.join(', ')}`,
        hint: moved ? `it moved: ${moved}` : guess ? `did you mean "${guess}"?` : DOCS_HINT,
      };
    }
    case 'invalid_type': {
      const value = valueAt(raw, path);
      const allowed = describeAllowed(schemaAt(ConfigSchema, path));
      return { key: path, at: path, message: `expected ${allowed}, got ${tomlType(value)}`, hint: DOCS_HINT };
    }
    case 'invalid_value': {
      const value = valueAt(raw, path);
      const values = enumValues(schemaAt(ConfigSchema, path)) ?? issue.values.map(String);
      const guess = typeof value === 'string' ? closest(value, values) : undefined;
      return {
        key: path,
        at: path,
        message: `invalid value ${showValue(value)}; allowed: ${values.map((v) => JSON.stringify(v)).join(', ')}`,
        hint: guess ? `did you mean "${guess}"?` : DOCS_HINT,
      };
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'invalid';
      return {
        key: path,
        at: path,
        message: `invalid name ${quoteText(String(path.at(-1)), 64)}: ${inner}`,
        hint: DOCS_HINT,
      };
    }
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'invalid_union':
    case 'custom':
    default:
      return { key: path, at: path, message: plainMessage(issue), hint: DOCS_HINT };
  }
}

/** zod's own wording for the issues whose message the schema does not set. */
function plainMessage(issue: Issue): string {
  if (issue.code === 'too_small' && issue.message.startsWith('Too small')) {
    return issue.origin === 'array'
      ? `must have at least ${issue.minimum} entries`
      : `must be at least ${issue.minimum}`;
  }
  if (issue.code === 'too_big' && issue.message.startsWith('Too big')) {
    return issue.origin === 'array'
      ? `must have at most ${issue.maximum} entries`
      : `must be at most ${issue.maximum}`;
  }
  return issue.message;
}

/** Turns the first schema issue (unknown keys first, then in file order) into a located ConfigError. */
export function schemaError(issues: readonly Issue[], file: SourceFile): ConfigError {
  const described = issues.map((issue) => {
    const d = describeIssue(issue, file.raw);
    return { ...d, unknown: issue.code === 'unrecognized_keys', pos: file.positions.locate(d.at) };
  });
  // An unknown key comes first: it is usually a typo that also explains a "missing" key next to it.
  described.sort(
    (a, b) => Number(b.unknown) - Number(a.unknown) || a.pos.line - b.pos.line || a.pos.col - b.pos.col,
  );
  const first = described[0]!;
  return errorAt(file.path, first.pos, first.key, first.message, first.hint);
}
