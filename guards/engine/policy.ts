/**
 * The guard policy: plain data the config layer hands over. It can add rules and sensitive paths, allow rule ids
 * or exact commands, and switch lockdown on. Extra rules only add blocks: they can never allow anything.
 */
import { readFileSync } from 'node:fs';

export interface ExtraRule {
  id: string;
  /** A regular expression (JavaScript syntax), matched against each normalized command (`name arg…`). */
  pattern: string;
  reason: string;
}

export interface Policy {
  extraRules: ExtraRule[];
  /** Rule ids to skip, or exact commands (whole tool command, trimmed) to allow. */
  allow: string[];
  /** Extra credential locations (`~/x`, `/abs/x`, globs, or bare file names). */
  sensitivePaths: string[];
  lockdown: boolean;
}

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  extraRules: [],
  allow: [],
  sensitivePaths: [],
  lockdown: false,
});

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new PolicyError(`${what} must be an array of strings`);
  return v as string[];
}

/** Validates policy JSON; throws `PolicyError` with the first problem. Unknown keys are rejected. */
export function parsePolicy(data: unknown): Policy {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new PolicyError('policy must be a JSON object');
  const o = data as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['extraRules', 'allow', 'sensitivePaths', 'lockdown'].includes(k))
      throw new PolicyError(`unknown policy key '${k}'`);
  }
  if (o.lockdown !== undefined && typeof o.lockdown !== 'boolean')
    throw new PolicyError('lockdown must be true or false');
  const extra: ExtraRule[] = [];
  if (o.extraRules !== undefined) {
    if (!Array.isArray(o.extraRules)) throw new PolicyError('extraRules must be an array');
    for (const [i, r] of (o.extraRules as unknown[]).entries()) {
      const x = r as Record<string, unknown>;
      if (
        typeof x !== 'object' ||
        x === null ||
        typeof x.id !== 'string' ||
        typeof x.pattern !== 'string' ||
        typeof x.reason !== 'string'
      ) {
        throw new PolicyError(`extraRules[${i}] needs string id, pattern and reason`);
      }
      if (!/^[A-Za-z0-9_.-]{1,80}$/.test(x.id))
        throw new PolicyError(`extraRules[${i}].id must be 1-80 of [A-Za-z0-9_.-]`);
      try {
        new RegExp(x.pattern);
      } catch (e) {
        throw new PolicyError(
          `extraRules[${i}].pattern is not a valid regular expression: ${(e as Error).message}`,
        );
      }
      extra.push({ id: x.id, pattern: x.pattern, reason: x.reason.replace(/\s+/g, ' ').slice(0, 300) });
    }
  }
  return {
    extraRules: extra,
    allow: strings(o.allow, 'allow'),
    sensitivePaths: strings(o.sensitivePaths, 'sensitivePaths'),
    lockdown: o.lockdown === true,
  };
}

/** Reads and validates a policy file. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyError(
      `cannot read policy ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`policy ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parsePolicy(data);
}

/**
 * Merges a repo overlay into a base policy so the overlay can only add: its extra rules and sensitive paths are
 * appended, its lockdown can only switch lockdown on, and its `allow` list is ignored.
 */
export function mergeOverlay(base: Policy, overlay: Partial<Policy>): Policy {
  return {
    extraRules: [...base.extraRules, ...(overlay.extraRules ?? [])],
    allow: [...base.allow],
    sensitivePaths: [...base.sensitivePaths, ...(overlay.sensitivePaths ?? [])],
    lockdown: base.lockdown || overlay.lockdown === true,
  };
}
