import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Waits on a pipe only ags holds: when ags ends without calling `disarm` (killed outright, SIGKILL or the OOM
 * killer, where no handler of its own runs), the pipe's far end closes, `read` returns, and the container is
 * removed at once instead of running on unattended, with the run's secrets in its environment, until the next
 * ags start finds it. $1 is the container's name; the words after it, when there are any, are the command that
 * then finishes the rest of the run's teardown on the host (only once the container is gone, so that nothing in
 * the sandbox can race it).
 */
const REAPER =
  'read -r _; podman rm --force --ignore --time=0 "$1" >/dev/null 2>&1; shift; [ "$#" -eq 0 ] || exec "$@" </dev/null >/dev/null 2>&1';

export interface Reaper {
  /** The run ended under ags's own control: the reaper goes without touching anything. */
  disarm(): void;
}

/**
 * Starts the reaper for `containerName`, in a session of its own so that a signal to ags's process group or a
 * hangup of its terminal does not take it too. Call it before `podman run`, so that there is no moment in
 * which the container exists and nothing would remove it.
 */
export function startReaper(containerName: string, afterKill: readonly string[] = []): Reaper {
  let child: ChildProcess;
  try {
    child = spawn('sh', ['-c', REAPER, 'ags-reaper', containerName, ...afterKill], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
  } catch {
    return { disarm() {} };
  }
  child.on('error', () => {});
  // neither the process nor the pipe may keep ags's event loop alive; the pipe is ags's end, closed by its exit
  child.unref();
  (child.stdin as { unref?: () => void } | null)?.unref?.();
  child.stdin?.on('error', () => {});
  return {
    disarm() {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}
