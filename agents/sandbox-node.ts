/**
 * How the agents' hook wiring starts an ags program inside the sandbox. The agent's PATH holds ~/.local/bin
 * (last), in the agent-writable sandbox home, and an agent may set its own PATH for its tools: a bare `node`
 * would let the agent plant its own `node` and switch the guard off from the next tool call on. So the hook names
 * env by absolute path and gives node a PATH of image directories only (the image provides node in one of them,
 * see config/Containerfile).
 *
 * The hook would otherwise inherit the agent's environment, which the agent can change through its own settings
 * files (Claude Code's settings.json `env`, for one): NODE_OPTIONS=--require, LD_PRELOAD, or an AGS_GUARD_POLICY
 * naming a policy that allows everything would switch the guard off. So `env -i` starts node with an empty
 * environment plus exactly what the guard reads (guards/engine/hook.ts): the policy file, the workspace, HOME and,
 * in lockdown, AGS_LOCKDOWN (which the policy file also says, but only when it can be read).
 */
export const SANDBOX_NODE_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The container paths that command resolves through; no configured mount may take them over. */
export const SANDBOX_NODE_BINARIES = ['/usr/bin/env', '/usr/local/bin/node', '/usr/bin/node'] as const;

/** What the guard's verdict depends on, pinned in the hook command. */
export interface HookEnv {
  policyPath: string;
  workspace: string;
  home: string;
  /** A lockdown run: the guard fails closed even when it cannot read its policy file. */
  lockdown?: boolean;
}

/** One shell word: single-quoted, an embedded ' closed, escaped and reopened. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The argv that runs `script` (an absolute container path) with the image's node and only the pinned env. */
export function sandboxNodeArgv(script: string, pinned: HookEnv, args: string[] = []): string[] {
  const vars = {
    PATH: SANDBOX_NODE_PATH,
    HOME: pinned.home,
    AGS_GUARD_POLICY: pinned.policyPath,
    AGS_WORKSPACE: pinned.workspace,
    ...(pinned.lockdown ? { AGS_LOCKDOWN: '1' } : {}),
  };
  const assignments = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  return ['/usr/bin/env', '-i', ...assignments, 'node', script, ...args];
}

/** The shell command line that runs `script` (an absolute container path) with the image's node. */
export function sandboxNodeCommand(script: string, pinned: HookEnv, args: string[] = []): string {
  const argv = sandboxNodeArgv(script, pinned, args);
  const node = argv.indexOf('node');
  return argv.map((w, i) => (i < 2 || i === node ? w : shellQuote(w))).join(' ');
}
