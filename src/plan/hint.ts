import type { Mount } from './types.js';

/** The one-line hint (AGS_HOST_SERVICES_HINT) for reaching the host, at the backend's address. */
export function hostServicesHint(address: string): string {
  return `[ags] Host services: use ${address} (localhost is this container)`;
}

export interface HintFacts {
  workdir: string;
  mounts: Mount[];
  lockdown: boolean;
  guard: boolean;
  root: boolean;
  /** Git config and hooks (and agent project settings) are read-only mounts (protected-paths.ts). */
  readOnlyGitConfig?: boolean;
  readOnlyAgentConfig?: boolean;
  /** The backend's name for the host (SandboxBackend.hostServicesAddress). */
  hostServices: string;
}

/**
 * The short prompt-context text every agent that can take one receives: where it runs, how to reach the host,
 * what of the host it can see. Kept small: it is sent with every model request.
 */
export function buildHint(f: HintFacts): string {
  const visible = f.mounts
    .filter((m) => m.showInHint)
    .map((m) => `${m.target} (${m.mode === 'rw' ? 'read-write' : 'read-only'})`);
  const lines = [
    '# ags sandbox',
    "You are running inside an ags sandbox: a rootless Podman container on the user's machine, not the machine itself.",
    `- \`localhost\` is this container. Services on the user's host are reached at \`${f.hostServices}\`.`,
    `- The workspace is ${f.workdir}. Host paths visible here: ${visible.join(', ') || 'none besides the workspace'}. Nothing else of the host (its home, SSH keys, credentials, other projects) is present.`,
    `- Lockdown: ${f.lockdown ? "on (a fresh home, discarded after the run; only the secrets the user passed for this run; the host's services are not reachable; the network reaches only your model API and the user's allowlist)" : 'off'}.`,
  ];
  if (f.guard) {
    lines.push(
      '- An ags guard checks tool calls and blocks destructive commands and reads of secrets; when it blocks, it says why. Change approach or ask the user instead of working around it.',
    );
  }
  if (f.readOnlyGitConfig || f.readOnlyAgentConfig) {
    const what = [
      ...(f.readOnlyGitConfig
        ? ['`.git/config` and `.git/hooks` (so `git config` and `git remote add` fail)']
        : []),
      ...(f.readOnlyAgentConfig ? ['project settings such as `.claude/`, `.vscode/`, `.envrc`'] : []),
    ];
    lines.push(
      `- Read-only here, to protect the user's host: ${what.join('; ')}. Commit, branch and checkout work.`,
    );
  }
  if (f.root) lines.push('- You run as root inside the container and may install packages with apt-get.');
  return `${lines.join('\n')}\n`;
}
