import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { RuntimeError, UsageError } from '../../errors.js';
import { onPath } from '../../shell/path-dirs.js';
import { SHELLS, type ShellName } from '../../shell/quote.js';
import { RcBlockError, withoutBlock } from '../../shell/rc-block.js';
import { defaultRcFile, editRcFile, shellFromEnv } from '../../shell/rc-file.js';
import { removeWrappers } from '../../shell/remove.js';
import { type WrapperStep } from '../../shell/wrappers.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { displayPath } from '../../util/paths.js';

/**
 * The steps create-aliases, remove-aliases, install and uninstall share: where wrappers go, writing them with
 * a summary, editing an rc file, and removing what ags wrote.
 */

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
    `wrappers${dryRun ? ' (dry run, nothing written)' : ''}: ${count('created')} created, ${count('updated') + count('replaced')} updated, ${count('unchanged')} unchanged, ${count('skipped')} skipped`,
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
