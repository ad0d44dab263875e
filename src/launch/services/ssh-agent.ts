import { join } from 'node:path';
import { SANDBOX_SSH_DIR } from '../../plan/reserved.js';
import { signingGitEnv, signingPublicKey } from '../../session/signing-key.js';
import { addSshKeys, startSshAgent } from '../../session/ssh-agent.js';
import type { Config } from '../../config/index.js';
import type { HostService, ServiceRun } from '../host-service.js';

const SOCKET_TARGET = `${SANDBOX_SSH_DIR}/agent.sock`;

/** The agent's socket on the host: in the session dir, which stays on the host. */
const socketOf = (run: ServiceRun) => join(run.session.root, 'ssh-agent.sock');

/** The keys the run's agent holds: `[sandbox] ssh_keys`, then the signing key when it is not among them. */
export function agentKeys(sandbox: Config['sandbox']): string[] {
  const keys = [...sandbox.ssh_keys];
  if (sandbox.signing_key !== undefined && !keys.includes(sandbox.signing_key))
    keys.push(sandbox.signing_key);
  return keys;
}

/**
 * A dedicated ssh-agent holding only `[sandbox] ssh_keys` and `signing_key`, its socket mounted into the
 * sandbox; with a signing key, git in the sandbox signs with it (through the agent: no key file goes in).
 */
export const sshAgentService: HostService = {
  name: 'ssh-agent',
  plan(run) {
    if (run.lockdown || agentKeys(run.config.sandbox).length === 0) return null;
    const signing = run.config.sandbox.signing_key;
    return {
      service: 'ssh-agent',
      mounts: [{ source: socketOf(run), target: SOCKET_TARGET, mode: 'rw' }],
      env: {
        SSH_AUTH_SOCK: SOCKET_TARGET,
        ...(signing === undefined ? {} : signingGitEnv(signingPublicKey(signing))),
      },
      files: [],
    };
  },
  async start(run, hold) {
    const socket = socketOf(run);
    await startSshAgent(socket, (agent) => {
      hold.stop(agent.stop);
      hold.helper(agent.pid);
    });
    await addSshKeys(socket, agentKeys(run.config.sandbox));
  },
};
