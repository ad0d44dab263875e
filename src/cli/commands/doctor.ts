import { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { currentDirectory } from '../../host/cwd.js';
import { hostFacts } from '../../host/facts.js';
import { safeJson, scrubText } from '../../util/terminal-text.js';
import { ConfigError } from '../../errors.js';
import { type ReportExit, returningExit } from '../command-exit.js';
import { configPathOf } from './context.js';
import { type CheckResult, type CheckStatus, type DoctorState, runChecks } from './doctor-checks.js';
import { mountSafety } from './run-paths.js';
import { type MountResolution, runSettingsFromConfig } from './run-settings.js';

export { diagnoseStartFailure, runChecks, CHECKS, type CheckResult } from './doctor-checks.js';

/**
 * What doctor starts from: the config and the settings a shell run would take from it, read without side
 * effects. A config that does not load, or a mount a run would refuse, becomes a finding, never an exit
 * before the checks; a `create = true` mount source is counted, not created.
 */
export async function doctorState(configPath: string | undefined): Promise<DoctorState> {
  const cwd = currentDirectory();
  const mounts: MountResolution = { mode: 'inspect', problems: [], wouldCreate: [] };
  try {
    const loaded = await loadConfig({
      ...(configPath !== undefined ? { configPath } : {}),
      cwd,
      env: process.env,
      interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    });
    const facts = hostFacts(cwd, loaded.repoRoot);
    const safety = mountSafety(loaded.config, loaded.userConfigPath, facts.env, facts.uid, facts.home);
    const settings = runSettingsFromConfig(loaded.config, 'shell', safety, mounts);
    return {
      sandbox: { facts, settings, configFile: loaded.userConfigPath },
      mountProblems: mounts.problems,
      mountsToCreate: mounts.wouldCreate.length,
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { configError: err, mountProblems: [], mountsToCreate: 0 };
  }
}

const MARK: Record<CheckStatus, string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };

/** One line per check, and the fix under each that is not ok. Text from the host and config is escaped. */
export function renderText(results: readonly CheckResult[]): string {
  return results
    .map((r) => {
      const line = `${MARK[r.status]} ${r.title}: ${scrubText(r.detail)}\n`;
      return r.fix && r.status !== 'ok' ? `${line}     fix: ${scrubText(r.fix)}\n` : line;
    })
    .join('');
}

/** `--json`: one object per check, `fix` null when there is nothing to do. */
export function renderJson(results: readonly CheckResult[]): string {
  const rows = results.map((r) => ({ id: r.id, status: r.status, detail: r.detail, fix: r.fix ?? null }));
  return `${safeJson(rows, 2)}\n`;
}

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
