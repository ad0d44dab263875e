import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { findRepoRoot, trustStorePath } from '../../config/locate.js';
import { readTrustStore, removeTrust, sha256, type TrustEntry } from '../../config/trust.js';

function state(entry: TrustEntry): string {
  if (!existsSync(entry.overlay)) return 'overlay gone';
  try {
    return sha256(readFileSync(entry.overlay)) === entry.sha256
      ? 'current'
      : 'changed since (will ask again)';
  } catch {
    return 'unreadable';
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
          process.stdout.write(`${e.repo}\t${e.sha256.slice(0, 12)}\t${e.trusted_at}\t${state(e)}\n`);
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
            process.stdout.write(`revoked: ${repo}\n`);
          } else {
            process.stderr.write(`ags: ${repo} was not trusted; nothing to revoke\n`);
          }
        }),
    );
}
