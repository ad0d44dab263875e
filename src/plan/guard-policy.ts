import type { Policy } from '../../guards/engine/policy.js';
import type { Config } from '../config/index.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The guard engine's policy for one run, from `[guard]`: config rules become engine rules (a "prefix" rule
 * matches commands starting with those words), allow and sensitive paths pass through. Plain data, written
 * read-only into the session dir.
 */
export function guardPolicyFromConfig(guard: Config['guard'], lockdown: boolean): Policy {
  return {
    extraRules: guard.rules.map((r) => ({
      id: r.id,
      pattern:
        r.match === 'regex'
          ? r.pattern
          : `^${r.pattern.trim().split(/\s+/).map(escapeRegExp).join('\\s+')}(\\s|$)`,
      reason: r.reason,
    })),
    allow: [...guard.allow],
    sensitivePaths: [...guard.sensitive_paths],
    lockdown,
  };
}
