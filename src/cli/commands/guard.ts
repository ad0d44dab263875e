import { Command, Option } from 'commander';
import { claudeHook, loadHookPolicy, type HookSettings } from '../../../guards/engine/hook.js';
import { explainShell } from '../../../guards/engine/explain.js';
import { readStdinSync } from '../../../guards/engine/stdin.js';
import { ConfigError, UsageError } from '../../errors.js';
import { type ReportExit, returningExit } from '../command-exit.js';

interface CheckOptions {
  lockdown?: boolean;
  policy?: string;
  batch?: boolean;
}

function readStdin(): string {
  try {
    return readStdinSync();
  } catch {
    return '';
  }
}

function settingsOf(opts: CheckOptions): HookSettings {
  return {
    ...(opts.policy ? { policyPath: opts.policy } : {}),
    ...(opts.lockdown ? { lockdown: true } : {}),
  };
}

/** `ags guard check|explain`: the in-sandbox guard engine, run on the host with the same code. */
/**
 * The options with `--lockdown` wherever it was given: the run's own `--lockdown` on the program takes the flag
 * before a subcommand sees it (`ags guard check --lockdown`), so it is read from the globals too.
 */
function withRunLockdown<T extends CheckOptions>(opts: T, cmd: Command): T {
  return cmd.optsWithGlobals<CheckOptions>().lockdown ? { ...opts, lockdown: true } : opts;
}

export function guardCommand(report: ReportExit): Command {
  const guard = new Command('guard').description(
    'check tool calls with the ags guard, or explain its decision',
  );

  guard
    .command('check')
    .description(
      'answer one Claude Code PreToolUse hook JSON on stdin exactly like the in-sandbox hook (exit 2 blocks)',
    )
    .option('--lockdown', 'fail closed (as with AGS_LOCKDOWN=1)')
    .option('--policy <file>', 'policy JSON file (default: $AGS_GUARD_POLICY, else the built-in policy)')
    .option('--batch', 'read JSON Lines of hook inputs, write one JSON verdict per line')
    .action(
      returningExit(report, (opts: CheckOptions, cmd: Command) => {
        const settings = settingsOf(withRunLockdown(opts, cmd));
        const input = readStdin();
        if (!opts.batch) {
          const r = claudeHook(input, settings);
          if (r.stderr) process.stderr.write(r.stderr);
          return r.exitCode;
        }
        const loaded = loadHookPolicy(settings);
        const out: string[] = [];
        for (const line of input.split('\n')) {
          if (line.trim() === '') continue;
          const r = claudeHook(line, settings, loaded);
          const v = r.verdict;
          out.push(
            JSON.stringify({
              decision: v.decision,
              exitCode: r.exitCode,
              ...(v.rule ? { rule: v.rule } : {}),
              ...(v.message ? { message: v.message } : {}),
              ...(v.failure ? { failure: v.failure } : {}),
              ...(v.warnings.length > 0 ? { warnings: v.warnings } : {}),
            }),
          );
        }
        process.stdout.write(out.length > 0 ? out.join('\n') + '\n' : '');
        return 0;
      }),
    );

  guard
    .command('explain')
    .description('show how a shell command is parsed and which rule fires')
    .addOption(new Option('--lockdown', 'explain the lockdown decision'))
    .option('--policy <file>', 'policy JSON file')
    // no default value here: process.cwd() at build time would crash every ags command in a deleted directory
    .option('--cwd <dir>', 'working directory the command runs in (default: the current directory)')
    .argument('<command...>', "the shell command (quote it, after --: ags guard explain -- 'rm -rf /')")
    .action((words: string[], own: CheckOptions & { cwd?: string }, cmd: Command) => {
      const opts = withRunLockdown(own, cmd);
      if (opts.policy === '')
        throw new UsageError('--policy needs a file', "ags guard explain --policy FILE -- 'command'");
      const command = words.join(' ');
      if (command.trim() === '')
        throw new UsageError('missing command', "usage: ags guard explain -- 'command'");
      const loaded = loadHookPolicy(settingsOf(opts));
      // explaining with the built-in policy instead would answer a question nobody asked
      if (loaded.error) {
        throw new ConfigError(
          loaded.error,
          opts.policy
            ? 'check the --policy FILE (a guard policy JSON file); leave it out to explain with the built-in policy'
            : 'check the file $AGS_GUARD_POLICY names, or unset it to explain with the built-in policy',
        );
      }
      process.stdout.write(
        explainShell(command, opts.cwd ?? process.cwd(), {
          policy: loaded.policy,
          lockdown: loaded.lockdown,
          ...(process.env.HOME ? { home: process.env.HOME } : {}),
        }),
      );
    });

  return guard;
}
