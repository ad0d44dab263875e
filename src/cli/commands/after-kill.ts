import { Command } from 'commander';
import { requireHome } from '../../host/home.js';
import { finishKilledRun } from '../../launch/after-kill.js';
import { ensureRuntimeDir } from '../../session/runtime-dir.js';

/**
 * `ags __after-kill PID RUNTIME_DIR`: internal, run by a killed run's reaper once its container is gone (see
 * launch/after-kill.ts). Hidden from help and completions; it acts only on records of ags processes that have
 * ended, so running it by hand does no harm.
 */
export function afterKillCommand(): Command {
  return new Command('__after-kill')
    .argument('<pid>')
    .argument('<runtime-dir>')
    .action((pid: string, runtimeDir: string) => {
      if (!/^\d+$/.test(pid)) return;
      try {
        const home = requireHome(process.env, { mustExist: false });
        finishKilledRun(ensureRuntimeDir(runtimeDir, process.getuid?.() ?? -1), Number(pid), home);
      } catch (err) {
        process.stderr.write(`ags: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
