import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { requireHome } from '../../host/home.js';
import { agsLauncher, configuredAliases, defaultAliases } from '../../shell/alias-set.js';
import { onPath } from '../../shell/path-dirs.js';
import { SHELLS, type ShellName } from '../../shell/quote.js';
import { RcBlockError, aliasLines, withBlock } from '../../shell/rc-block.js';
import { defaultRcFile, editRcFile, shellFromEnv } from '../../shell/rc-file.js';
import { type WrapperStep, planWrappers } from '../../shell/wrappers.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { displayPath } from '../../util/paths.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { configPathOf } from './context.js';

export const MODES = ['wrappers', 'aliases', 'both'] as const;

interface Options {
  mode: (typeof MODES)[number];
  shell?: ShellName;
  dir?: string;
  rc?: string;
  force?: boolean;
}

/** The directory wrappers go to: --dir, else ~/.local/bin. */
export function wrapperDir(dir: string | undefined, home: string): string {
  return dir === undefined ? join(home, '.local', 'bin') : resolve(dir);
}

/** The shell the alias block is for: --shell, else $SHELL's; refused when neither says. */
export function chosenShell(shell: ShellName | undefined, env: NodeJS.ProcessEnv): ShellName {
  const found = shell ?? shellFromEnv(env);
  if (found === null) {
    throw new UsageError(
      `cannot tell your shell from SHELL=${JSON.stringify(env.SHELL ?? '')}`,
      `give it: --shell ${SHELLS.join('|')}`,
    );
  }
  return found;
}

/** `--dry-run` is also a run option of the root program, which commander gives it wherever it stands. */
export function isDryRun(cmd: Command): boolean {
  return Boolean((cmd.optsWithGlobals() as { dryRun?: boolean }).dryRun);
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function writeWrappers(dir: string, steps: readonly WrapperStep[], dryRun: boolean): void {
  if (!dryRun) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      if (!statSync(dir).isDirectory())
        throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (err) {
      throw new UsageError(
        `cannot use ${displayPath(dir)} for the wrappers: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        'give a directory you can write with --dir',
      );
    }
  }
  const would = dryRun ? 'would be ' : '';
  for (const step of steps) {
    if (step.action !== 'skipped' && step.action !== 'unchanged' && !dryRun) {
      try {
        writeFileAtomic(step.path, step.content, 0o755);
      } catch (err) {
        throw new RuntimeError(
          `cannot write ${displayPath(step.path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
    }
    const why =
      step.action === 'skipped'
        ? `: ${step.why}; ags leaves it alone (--force replaces it${step.why === 'a directory' ? ', but never a directory' : ''})`
        : step.action === 'replaced'
          ? ` (it was ${step.why}; --force)`
          : '';
    say(
      `${step.action === 'unchanged' ? 'unchanged' : `${would}${step.action}`} ${displayPath(step.path)}${why}`,
    );
  }
  const count = (a: WrapperStep['action']) => steps.filter((s) => s.action === a).length;
  say(
    `wrappers: ${count('created')} created, ${count('updated') + count('replaced')} updated, ${count('unchanged')} unchanged, ${count('skipped')} skipped`,
  );
  if (!onPath(dir, process.env.PATH)) {
    process.stderr.write(
      `ags: warning: ${displayPath(dir)} is not on your PATH, so the wrappers cannot be run by name; add it, e.g. export PATH="${displayPath(dir)}:$PATH"\n`,
    );
  }
}

/** Runs an rc file edit, turning a broken block and file errors into one line each. */
export function editRc(path: string, change: (c: string | null) => string | null, dryRun: boolean) {
  try {
    return editRcFile(path, change, dryRun);
  } catch (err) {
    if (err instanceof RcBlockError) {
      throw new UsageError(
        `cannot edit ${displayPath(path)}: ${err.message}`,
        'fix or delete the ags alias block there by hand, then run again',
      );
    }
    throw new RuntimeError(
      `cannot edit ${displayPath(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** `ags create-aliases`: the alias set as wrapper scripts on PATH, as a block of shell aliases, or both. */
export function createAliasesCommand(program: Command): Command {
  return new Command('create-aliases')
    .description('write wrapper scripts (ags-claude, ...) and/or shell aliases for the alias set')
    .addOption(
      new Option('--mode <mode>', 'wrapper scripts in --dir, aliases in the rc file, or both')
        .choices(MODES)
        .default('wrappers'),
    )
    .addOption(
      new Option('--shell <shell>', 'the shell the aliases are for (default: from $SHELL)').choices(SHELLS),
    )
    .option('--dir <dir>', 'where the wrappers go (default: ~/.local/bin)')
    .option(
      '--rc <file>',
      "the rc file for the aliases (default: the shell's: ~/.bashrc, ~/.zshrc, config.fish)",
    )
    .option('--force', 'replace files at the wrapper paths that ags did not write (never a directory)')
    .option('--dry-run', 'say what would change; write nothing')
    .addHelpText(
      'after',
      `
The alias set is [[alias]] in your config (name and the ags args it stands for), else one per agent
(ags-claude = ags --agent claude). Your own arguments go to the agent: ags-claude -p "hi" runs
ags --agent claude -- -p "hi". Run it again after changing the set; ags remove-aliases undoes it.`,
    )
    .action((opts: Options, cmd: Command) => {
      const home = requireHome(process.env, { mustExist: true });
      const dryRun = isDryRun(cmd);
      const configured = configuredAliases(configPathOf(cmd), process.cwd(), process.env);
      const aliases = configured.length > 0 ? configured : defaultAliases(program);
      const launcher = agsLauncher();
      if (opts.mode !== 'aliases') {
        const dir = wrapperDir(opts.dir, home);
        writeWrappers(dir, planWrappers(dir, aliases, launcher, Boolean(opts.force)), dryRun);
      }
      if (opts.mode !== 'wrappers') {
        const shell = chosenShell(opts.shell, process.env);
        const rc = opts.rc === undefined ? defaultRcFile(shell, process.env, home) : resolve(opts.rc);
        const lines = aliasLines(shell, launcher, aliases);
        const outcome = editRc(rc, (c) => withBlock(c, lines), dryRun);
        say(
          `${dryRun && outcome !== 'unchanged' ? 'would be ' : ''}${outcome} ${displayPath(rc)} (${shell} aliases: ${aliases.map((a) => a.name).join(', ')})`,
        );
        if (outcome !== 'unchanged' && !dryRun)
          say(`open a new ${shell} (or source ${displayPath(rc)}) to use them`);
      }
    });
}
