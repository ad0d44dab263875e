import { RuntimeError } from '../errors.js';
import type { LaunchPlan } from '../plan/types.js';
import type { SandboxBackend } from '../runtime/backend.js';
import {
  GUARD_LOAD_TIMEOUT_MS,
  GuardLoadWatch,
  guardLoadAction,
  guardLoadMessage,
} from '../session/guard-load.js';
import { mark } from '../util/timing.js';

/** How the in-process guard's load check went in one sandbox run (absent: the plan has no check). */
export interface GuardLoadReport {
  loaded: boolean;
  /** The timeout passed without a marker and the user was told (or the sandbox stopped) during the run. */
  reported: boolean;
  refused: boolean;
}

const GUARD_LOAD_HINT = 'see docs/GUARDS.md (Per-agent wiring) for how the guard is loaded';

/** After the run: a guard that never reported in is said now (a short run ends before the timeout), or refused. */
export function checkGuardLoaded(
  plan: LaunchPlan,
  report: GuardLoadReport | undefined,
  when: 'during' | 'after',
): void {
  if (!report || !plan.guardLoadCheck) return;
  if (report.refused) {
    throw new RuntimeError(guardLoadMessage(plan.agent, 'refuse', GUARD_LOAD_TIMEOUT_MS), GUARD_LOAD_HINT);
  }
  if (when === 'during' || report.loaded || report.reported) return;
  const action = guardLoadAction(false, plan.guardLoadCheck.failClosed);
  if (action === 'ok') return;
  const line = `the ags guard did not load in ${plan.agent} (no load marker when the agent exited)`;
  if (action === 'refuse') throw new RuntimeError(`${line}; fail-closed`, GUARD_LOAD_HINT);
  process.stderr.write(`ags: warning: ${line}: its tool calls were NOT vetoed in this run\n`);
}

/**
 * Starts watching for the in-process guard's load marker; a missing one is said at once, or stops the run.
 * `finish` ends the watch and reports; null when the plan has no check.
 */
export function watchGuardLoad(
  plan: LaunchPlan,
  backend: SandboxBackend,
): { finish: () => GuardLoadReport } | null {
  const check = plan.guardLoadCheck;
  if (!check) return null;
  let refused = false;
  const loaded = () => mark('guard reported loaded');
  const watch = new GuardLoadWatch(
    check.markerFile,
    check.token,
    () => {
      const action = guardLoadAction(false, check.failClosed);
      if (action === 'ok') return;
      if (action === 'refuse') {
        // said once the sandbox is gone, as the run's error
        refused = true;
        void backend.removeSandbox(plan);
        return;
      }
      // \r: the agent's TUI may have the terminal in raw mode
      process.stderr.write(
        `\r\nags: warning: ${guardLoadMessage(plan.agent, action, GUARD_LOAD_TIMEOUT_MS)}\r\n`,
      );
    },
    GUARD_LOAD_TIMEOUT_MS,
    loaded,
  );
  watch.start();
  return {
    finish: () => ({ loaded: watch.finish(), reported: watch.reportedMissing, refused }),
  };
}
