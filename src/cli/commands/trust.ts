import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { findRepoRoot, trustStorePath } from '../../config/locate.js';
import { readRepoOverlayBytes } from '../../config/read-source.js';
import { readTrustStore, removeTrust, sha256, type TrustEntry } from '../../config/trust.js';
import { escapeText } from '../../util/terminal-text.js';

function state(entry: TrustEntry): string {
  try {
    // read as a run would: a symlinked, special or oversized overlay is refused, never followed or waited on
    const bytes = readRepoOverlayBytes(dirname(dirname(entry.overlay)));
    if (bytes === null) return 'overlay gone';
    return sha256(bytes) === entry.sha256 ? 'current' : 'changed since (will ask again)';
  } catch {
    return 'unreadable or refused';
  }
}

/** The repository a PATH names: the top of its git work tree, else the path itself (real path if it exists). */
async function repoFor(path: string): Promise<string> {
  const abs = resolve(path);
  if (!existsSync(abs)) return abs;
  const root = await findRepoRoot(abs, process.env);
  return realpathSync(root ?? abs);
}

export function trustCommand(): Command {
  return new Command('trust')
    .description('list and revoke trusted repo overlays (<repo>/.ags/config.toml)')
    .addCommand(
      new Command('list').description('list trusted overlays and whether they changed since').action(() => {
        const entries = readTrustStore(trustStorePath(process.env));
        if (entries.length === 0) {
          process.stdout.write('no trusted repo overlays\n');
          return;
        }
        for (const e of entries) {
          const repo = escapeText(e.repo, 4096);
          process.stdout.write(
            `${repo}\t${e.sha256.slice(0, 12)}\t${escapeText(e.trusted_at, 64)}\t${state(e)}\n`,
          );
        }
      }),
    )
    .addCommand(
      new Command('revoke')
        .description('forget the trust given to a repository (default: the one around the current directory)')
        .argument('[path]', 'the repository (or any path inside it)', '.')
        .action(async (path: string) => {
          const repo = await repoFor(path);
          if (removeTrust(trustStorePath(process.env), repo)) {
            process.stdout.write(`revoked: ${escapeText(repo, 4096)}\n`);
          } else {
            process.stderr.write(`ags: ${escapeText(repo, 4096)} was not trusted; nothing to revoke\n`);
          }
        }),
    );
}
