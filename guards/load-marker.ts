// The in-process guards (pi extension, opencode plugin) tell the run that they loaded: they write the run's
// random token to the marker file ags watches (src/session/guard-load.ts). Both variables are then dropped from
// this process's environment, so the agent's tool commands do not inherit them.
import { writeFileSync } from 'node:fs';

export function reportGuardLoaded(env: NodeJS.ProcessEnv = process.env): void {
  const token = env.AGS_GUARD_LOAD_TOKEN;
  const file = env.AGS_GUARD_LOAD_MARKER;
  delete env.AGS_GUARD_LOAD_TOKEN;
  delete env.AGS_GUARD_LOAD_MARKER;
  if (!token || !file) return;
  try {
    // O_EXCL: never through a link or over a file someone else put there
    writeFileSync(file, `${token}\n`, { flag: 'wx', mode: 0o600 });
  } catch {
    // the run reports the missing marker
  }
}
