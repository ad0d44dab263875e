import { Command } from 'commander';
import { requireHome } from '../../host/home.js';
import { isDryRun, removeAliases } from './alias-files.js';

/** `ags remove-aliases`: the wrappers and alias blocks ags wrote, and only those. */
export function removeAliasesCommand(): Command {
  return new Command('remove-aliases')
    .description('remove the wrappers and alias blocks create-aliases wrote (nothing else)')
    .option('--dir <dir>', 'where the wrappers are (default: ~/.local/bin)')
    .option('--rc <file>', 'the rc file to clean (default: ~/.bashrc, ~/.zshrc and config.fish)')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .action((opts: { dir?: string; rc?: string }, cmd: Command) => {
      const home = requireHome(process.env, { mustExist: true });
      const lines = removeAliases(home, opts, isDryRun(cmd));
      process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : 'nothing of ags to remove\n');
    });
}
