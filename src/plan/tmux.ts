import type { SessionFile } from '../../agents/types.js';

/** The session file (read-only in the sandbox) that runs the agent for `--tmux`. */
const RUNNER = 'tmux-run.sh';

/**
 * tmux itself exits 0 however the program in its pane ended, so the runner has the pane write the agent's
 * status to a file in this container's own /tmp and exits with it. Each run has its own container, so no
 * other run can touch that file; the agent can write it, but it could just as well choose its exit code.
 * A session that ends without a status (tmux failed, or the user detached) is not reported as success.
 */
const SCRIPT = `# ags --tmux: runs the agent ("$@") in tmux and exits with the agent's own exit status.
status_file=$(mktemp) || exit 1
tmux new-session -A -s ags -- sh -c '"$@"; echo "$?" > "$0"' "$status_file" "$@"
tmux_status=$?
status=
read -r status 2>/dev/null < "$status_file"
rm -f "$status_file"
case $status in
  '' | *[!0-9]*)
    [ "$tmux_status" -ne 0 ] && exit "$tmux_status"
    echo "ags: the tmux session ended before the agent did (detached?); its exit status is unknown" >&2
    exit 1 ;;
esac
exit "$status"
`;

export function tmuxRunner(): SessionFile {
  return { name: RUNNER, content: SCRIPT };
}

/** The container command for `--tmux`, given the agent's argv and where the session dir is mounted. */
export function tmuxCommand(agentArgv: string[], sessionDir: string): string[] {
  return ['/bin/sh', `${sessionDir}/${RUNNER}`, ...agentArgv];
}
