import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { requireHome } from '../../host/home.js';
import { agsLauncher, aliasSet } from '../../shell/alias-set.js';
import { createSelfLink, isGitCheckout, selfLinkState } from '../../shell/self-link.js';
import { planWrappers } from '../../shell/wrappers.js';
import { displayPath } from '../../util/paths.js';
import { UsageError } from '../../errors.js';
import { configPathOf } from '../../launch/context.js';
import { isDryRun, wrapperDir, writeWrappers } from './alias-files.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `ags install [--link-self]`: ags (from a git checkout) and its wrappers onto ~/.local/bin. */
export function installCommand(program: Command): Command {
  return new Command('install')
    .description('put ags on your PATH: the wrappers (ags-claude, ...) and, with --link-self, ags itself')
    .option('--link-self', 'link ags itself into the directory (for a git checkout of ags)')
    .option('--dir <dir>', 'the directory on your PATH (default: ~/.local/bin)')
    .option('--dry-run', 'say what would change; write nothing')
    .action((opts: { linkSelf?: boolean; dir?: string }, cmd: Command) => {
      const home = requireHome(process.env, { mustExist: true });
      const dryRun = isDryRun(cmd);
      const dir = wrapperDir(opts.dir, home);
      const launcher = agsLauncher();
      if (opts.linkSelf) {
        if (!isGitCheckout()) {
          throw new UsageError(
            'ags runs from an installed package here, not a git checkout: its package manager put it on PATH',
            'leave out --link-self',
          );
        }
        const link = join(dir, 'ags');
        const state = selfLinkState(link, launcher);
        if (state === 'other') {
          say(`skipped ${displayPath(link)}: something that is not ags's link is there; ags leaves it alone`);
        } else if (state === 'ours') {
          say(`unchanged ${displayPath(link)} -> ${displayPath(launcher)}`);
        } else {
          if (!dryRun) {
            mkdirSync(dir, { recursive: true, mode: 0o755 });
            createSelfLink(link, launcher);
          }
          say(`${dryRun ? 'would be ' : ''}created ${displayPath(link)} -> ${displayPath(launcher)}`);
        }
      }
      const aliases = aliasSet(program, configPathOf(cmd), process.cwd(), process.env);
      writeWrappers(dir, planWrappers(dir, aliases, launcher, false), dryRun);
      say('next: `ags setup` (keys, config, doctor); completions: `ags completions --help`');
    });
}
