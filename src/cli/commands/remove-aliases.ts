import { resolve } from 'node:path';
import { Command } from 'commander';
import { requireHome } from '../../host/home.js';
import { SHELLS } from '../../shell/quote.js';
import { withoutBlock } from '../../shell/rc-block.js';
import { defaultRcFile } from '../../shell/rc-file.js';
import { removeWrappers } from '../../shell/remove.js';
import { displayPath } from '../../util/paths.js';
import { RuntimeError } from '../../errors.js';
import { editRc, isDryRun, wrapperDir } from './create-aliases.js';

/** Removes what create-aliases made, and nothing else; returns what it removed, one line each. */
export function removeAliases(
  home: string,
  opts: { dir?: string | undefined; rc?: string | undefined },
  dryRun: boolean,
): string[] {
  const lines: string[] = [];
  const would = dryRun ? 'would be ' : '';
  const dir = wrapperDir(opts.dir, home);
  let removed: string[];
  try {
    removed = removeWrappers(dir, dryRun);
  } catch (err) {
    throw new RuntimeError(
      `cannot remove the wrappers in ${displayPath(dir)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  for (const p of removed) lines.push(`${would}removed ${displayPath(p)}`);
  const rcs =
    opts.rc !== undefined ? [resolve(opts.rc)] : SHELLS.map((s) => defaultRcFile(s, process.env, home));
  for (const rc of [...new Set(rcs)]) {
    const outcome = editRc(rc, (c) => (c === null ? null : withoutBlock(c)), dryRun);
    if (outcome === 'updated') lines.push(`${would}removed the ags alias block from ${displayPath(rc)}`);
    if (outcome === 'removed')
      lines.push(`${would}removed ${displayPath(rc)} (ags had created it for the block)`);
  }
  return lines;
}

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
