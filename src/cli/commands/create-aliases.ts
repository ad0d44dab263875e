import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { requireHome } from '../../host/home.js';
import { agsLauncher, aliasSet } from '../../shell/alias-set.js';
import { SHELLS, type ShellName } from '../../shell/quote.js';
import { aliasLines, withBlock } from '../../shell/rc-block.js';
import { defaultRcFile } from '../../shell/rc-file.js';
import { planWrappers } from '../../shell/wrappers.js';
import { displayPath } from '../../util/paths.js';
import { chosenShell, editRc, isDryRun, wrapperDir, writeWrappers } from './alias-files.js';
import { configPathOf } from '../../launch/context.js';

export const MODES = ['wrappers', 'aliases', 'both'] as const;

interface Options {
  mode: (typeof MODES)[number];
  shell?: ShellName;
  dir?: string;
  rc?: string;
  force?: boolean;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
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
      const aliases = aliasSet(program, configPathOf(cmd), process.cwd(), process.env);
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
