/**
 * How the agents' hook wiring starts an ags program inside the sandbox. The agent's PATH holds ~/.local/bin
 * (last), in the agent-writable sandbox home, and an agent may set its own PATH for its tools: a bare `node` would
 * let the agent plant its own `node` and switch the guard off from the next tool call on. So the hook names env by absolute path and
 * gives node a PATH of image directories only (the image provides node in one of them, see config/Containerfile).
 */
export const SANDBOX_NODE_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The container paths that command resolves through; no configured mount may take them over. */
export const SANDBOX_NODE_BINARIES = ['/usr/bin/env', '/usr/local/bin/node', '/usr/bin/node'] as const;

/** The shell command line that runs `script` (an absolute container path) with the image's node. */
export function sandboxNodeCommand(script: string): string {
  return `/usr/bin/env PATH=${SANDBOX_NODE_PATH} node ${script}`;
}
