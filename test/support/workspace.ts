import { chownSync, lchownSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type TestHost, runAsTestUser } from './host.js';

/** Hands `path` and its ancestors up to and including `top` (made by the root test process) to the test user. */
function givePathToTestUser(host: TestHost, top: string, path: string): void {
  if (process.getuid?.() !== 0) return;
  for (let p = path; p.startsWith(top); p = dirname(p)) {
    chownSync(p, host.uid, host.uid);
    if (p === top) break;
  }
}

/**
 * The workspace of a test run: `<parent>/repo`, owned by the test user, holding `files` (relative path →
 * content), and a git repository unless `git` is false. Returns its path.
 */
export async function makeTestRepo(
  host: TestHost,
  parent: string,
  files: Record<string, string> = {},
  { git = true }: { git?: boolean } = {},
): Promise<string> {
  const repo = join(parent, 'repo');
  mkdirSync(repo, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  givePathToTestUser(host, parent, repo);
  for (const entry of readdirSync(repo, { recursive: true }) as string[]) {
    givePathToTestUser(host, repo, join(repo, entry));
  }
  if (git) await runAsTestUser(host, ['git', 'init', '-q', repo]);
  return repo;
}

/**
 * Writes a file into an agent's persistent sandbox home (`<dataDir>/homes/<agent>/<path>`), as the user's own
 * config or an earlier run would have left it, owned by the test user. Returns its host path.
 */
export function writeSandboxHomeFile(
  host: TestHost,
  dataDir: string,
  agent: string,
  path: string,
  content: string,
): string {
  const file = join(dataDir, 'homes', agent, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  givePathToTestUser(host, dataDir, file);
  return file;
}

/**
 * Plants a symlink in an agent's persistent sandbox home (`<dataDir>/homes/<agent>/<path>` → `target`), as a
 * hostile agent would have left it, owned by the test user. Returns its host path.
 */
export function linkInSandboxHome(
  host: TestHost,
  dataDir: string,
  agent: string,
  path: string,
  target: string,
): string {
  const link = join(dataDir, 'homes', agent, path);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(target, link);
  givePathToTestUser(host, dataDir, dirname(link));
  if (process.getuid?.() === 0) lchownSync(link, host.uid, host.uid);
  return link;
}
