import type { SandboxDaemon, WireContext } from './types.js';
import { hookEnv } from './types.js';
import { SANDBOX_NODE_PATH, sandboxNodeArgv, sandboxNodeCommand } from './sandbox-node.js';

/**
 * The guard as one server for the session (guards/bin/guard-server.ts) instead of a whole engine loaded per tool
 * call: Claude Code's http hook talks to it directly, and the Codex and Gemini CLI command hooks are thin clients
 * of it (with the engine loaded in the hook process only when the server does not answer). Below 1024, so that only the server, started by ags as the sandbox's root with the capability to bind
 * it, can listen there; the sandbox pins net.ipv4.ip_unprivileged_port_start to 1024 for the agent.
 */
export const GUARD_SERVER_PORT = 947;
export const GUARD_SERVER_HOOK_URL = `http://127.0.0.1:${GUARD_SERVER_PORT}/claude/pre-tool-use`;
export const GUARD_SERVER_URL_PATTERN = `http://127.0.0.1:${GUARD_SERVER_PORT}/*`;

/**
 * A thin command hook (`codex-hook.cjs`, `gemini-hook.cjs`) and the daemons it asks: the session's server, or,
 * under `--root`, none. A root agent has NET_BIND_SERVICE and the server's uid, so it could kill the server and
 * answer on its port; a hook that decides itself leaves it nothing to impersonate.
 */
export function thinHookWiring(
  ctx: WireContext,
  bundle: string,
): { command: string; daemons: SandboxDaemon[] } {
  const script = `${ctx.sandboxBinDir}/${bundle}`;
  if (ctx.root) return { command: sandboxNodeCommand(script, hookEnv(ctx)), daemons: [] };
  return {
    command: sandboxNodeCommand(script, hookEnv(ctx), ['--server', String(GUARD_SERVER_PORT)]),
    daemons: [guardServerDaemon(ctx)],
  };
}

function script(ctx: WireContext): string {
  return `${ctx.sandboxBinDir}/guard-server.mjs`;
}

/** The server, started with exactly the env the command hook gets (policy, workspace, home, lockdown). */
export function guardServerDaemon(ctx: WireContext): SandboxDaemon {
  return {
    name: 'guard server',
    argv: sandboxNodeArgv(script(ctx), hookEnv(ctx), ['--daemon', String(GUARD_SERVER_PORT)]),
  };
}

/** The prelude that holds the agent back until the server answers (and keeps it from starting if it never does). */
export function guardServerWait(ctx: WireContext): string[] {
  return [
    '/usr/bin/env',
    '-i',
    `PATH=${SANDBOX_NODE_PATH}`,
    'node',
    script(ctx),
    '--wait',
    String(GUARD_SERVER_PORT),
  ];
}
