import { existsSync } from 'node:fs';
import { RuntimeError } from '../errors.js';
import type { LaunchPlan } from '../plan/types.js';
import type { RunFiles, SandboxBackend } from '../runtime/backend.js';
import { scrubText } from '../util/terminal-text.js';
import { mark } from '../util/timing.js';

const POLL_MS = 20;
/** How long the sandbox's first process has to appear (the agent waits behind its prelude meanwhile). */
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the plan's daemons (the guard server) as soon as the sandbox's first process exists: the
 * command's prelude holds the agent back until they answer. A daemon that does not start stops the run, and
 * `finish` then says why; the run fails closed rather than letting the agent start unguarded.
 */
export function startSandboxDaemons(
  plan: LaunchPlan,
  files: RunFiles,
  backend: SandboxBackend,
): { finish: () => string | null } | null {
  const daemons = plan.daemons ?? [];
  if (daemons.length === 0 || !files.pidFile) return null;
  const pidFile = files.pidFile;
  let failure: string | null = null;
  let done = false;
  const deadline = Date.now() + START_TIMEOUT_MS;
  const fail = (line: string) => {
    // a run that already ended (its prelude gave up first, say) has nothing left to stop
    if (done) return;
    failure = line;
    void backend.removeSandbox(plan);
  };
  const start = async () => {
    for (const d of daemons) {
      if (done) return;
      const err = await backend.startDaemon(plan, d);
      if (err !== null) return fail(`${d.name} did not start: ${err}`);
      mark(`${d.name} started`);
    }
  };
  const poll = () => {
    if (done) return;
    if (existsSync(pidFile)) return void start();
    if (Date.now() > deadline) return fail(`the sandbox did not start in ${START_TIMEOUT_MS / 1000} s`);
    timer = setTimeout(poll, POLL_MS);
  };
  let timer = setTimeout(poll, 0);
  return {
    finish: () => {
      done = true;
      clearTimeout(timer);
      return failure;
    },
  };
}

/** After the run: a daemon that did not start is the run's error. */
export function checkSandboxDaemons(failure: string | null | undefined): void {
  if (!failure) return;
  throw new RuntimeError(
    `${scrubText(failure)}; the run is stopped rather than left unguarded`,
    'see docs/GUARDS.md (Per-agent wiring) for how the guard server starts',
  );
}
