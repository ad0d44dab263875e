import { join } from 'node:path';
import { SANDBOX_SSH_DIR } from '../../plan/reserved.js';
import { addSshKeys, startSshAgent } from '../../session/ssh-agent.js';
import type { HostService, ServiceRun } from '../host-service.js';

const SOCKET_TARGET = `${SANDBOX_SSH_DIR}/agent.sock`;

/** The agent's socket on the host: in the session dir, which stays on the host. */
const socketOf = (run: ServiceRun) => join(run.session.root, 'ssh-agent.sock');

/** A dedicated ssh-agent holding only `[sandbox] ssh_keys`, its socket mounted into the sandbox. */
export const sshAgentService: HostService = {
  name: 'ssh-agent',
  plan(run) {
    if (run.config.sandbox.ssh_keys.length === 0) return null;
    return {
      service: 'ssh-agent',
      mounts: [{ source: socketOf(run), target: SOCKET_TARGET, mode: 'rw' }],
      env: { SSH_AUTH_SOCK: SOCKET_TARGET },
      files: [],
    };
  },
  async start(run, hold) {
    const socket = socketOf(run);
    await startSshAgent(socket, (agent) => {
      hold.stop(agent.stop);
      hold.helper(agent.pid);
    });
    await addSshKeys(socket, run.config.sandbox.ssh_keys);
  },
};
