import { Command } from 'commander';
import { type ReportExit, returningExit } from '../command-exit.js';
import { configPathOf } from '../../launch/context.js';
import { renderJson, renderText, runChecks } from './doctor-checks.js';
import { doctorState } from './doctor-state.js';

export { diagnoseStartFailure, runChecks, CHECKS, type CheckResult } from './doctor-checks.js';

/** `ags doctor`: checks the host and says which option fixes what it finds. Exit 1 when a check fails. */
export function doctorCommand(report: ReportExit): Command {
  return new Command('doctor')
    .description(
      'check podman, the OCI runtime, networking, the image and the config; exit 1 if a check fails',
    )
    .option('--json', 'print the checks as JSON objects: { id, status: ok|warn|fail, detail, fix }')
    .action(
      returningExit(report, async (opts: { json?: boolean }, cmd: Command) => {
        const results = await runChecks(await doctorState(configPathOf(cmd)));
        process.stdout.write(opts.json ? renderJson(results) : renderText(results));
        return results.some((r) => r.status === 'fail') ? 1 : 0;
      }),
    );
}
