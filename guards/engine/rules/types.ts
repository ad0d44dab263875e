import type { SensitivePaths } from '../paths.js';
import type { Invocation } from '../shell/invocation.js';

/** What a rule may consult besides the command itself. */
export interface RuleContext {
  /** The directory the command runs in (after any `cd` earlier in the same command). */
  cwd: string;
  home: string;
  /** The directory the tool call started in (the hook's cwd). */
  startCwd: string;
  /** The workspace root (the repository the agent works on). */
  workspace: string;
  lockdown: boolean;
  sensitive: SensitivePaths;
  /** The current git branch of `cwd`, or null when unknown (read lazily, only by rules that need it). */
  gitBranch: () => string | null;
  /** Every invocation of the same tool command, in order (for rules that join two commands: `exec 3<>/dev/tcp/…; env >&3`). */
  script?: readonly Invocation[];
  /** Symlinks the same command makes (`ln -s TARGET LINK`): the link's absolute path → the target's. */
  links?: ReadonlyMap<string, string>;
  /** Files the same command downloads (`curl -o F`, `wget URL`), absolute; absent when it downloads none. */
  downloads?: ReadonlySet<string>;
}

/**
 * A rule is data: an id, the pack it belongs to, the commands it looks at (an index, so most rules never run),
 * a matcher over the normalized invocation, and a one-line reason the agent can act on.
 * `match` returns false, true, or a string that details the hit (shown after the reason).
 */
export interface Rule {
  id: string;
  pack: string;
  reason: string;
  /** Normalized command names this rule applies to; omitted means every command (including dynamic ones). */
  commands?: readonly string[];
  match: (inv: Invocation, ctx: RuleContext) => boolean | string;
}
