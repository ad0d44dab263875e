import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGS_BIN, giveToTestUser, runAgs, writeTestConfig } from '../support/ags.js';
import { type TestHost, loadTestHost, runAsTestUser } from '../support/host.js';
import { testUserTempDir } from '../support/tmp.js';

// Bad input to the config layer, through the built CLI as the rootless test user: each one is exit 2 with one
// line saying what is wrong, before podman is ever asked to do anything.
describe('config input the user gets wrong, through the built CLI', () => {
  let host: TestHost;
  let tmp: ReturnType<typeof testUserTempDir>;
  let repo: string;
  let env: Record<string, string>;

  const ags = (args: string[], options: Parameters<typeof runAgs>[2] = {}) =>
    runAgs(host, args, { cwd: repo, env, timeout: 60_000, ...options });

  /** Exactly one `ags: ...` line and at most one indented hint line, and no stack trace. */
  function oneLine(stderr: unknown): string {
    const text = String(stderr);
    const lines = text.split('\n');
    expect(lines[0], text).toMatch(/^ags: /);
    expect(lines.length, text).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}\S/);
    expect(text).not.toMatch(/\n\s+at |internal error/);
    return lines[0]!;
  }

  beforeAll(async () => {
    if (!existsSync(join(AGS_BIN, '..', '..', 'dist', 'ags.mjs'))) {
      throw new Error('dist/ is missing: run `npm run build` before the integration tier');
    }
    host = loadTestHost();
    tmp = testUserTempDir(host, 'ags-config-input-');
    repo = join(tmp.dir, 'repo');
    mkdirSync(repo);
    giveToTestUser(host, repo);
    await runAsTestUser(host, ['git', 'init', '-q', repo]);
    env = {
      XDG_CONFIG_HOME: join(tmp.dir, 'xdg-config'),
      XDG_STATE_HOME: join(tmp.dir, 'xdg-state'),
      XDG_RUNTIME_DIR: join(tmp.dir, 'run'),
    };
    mkdirSync(env.XDG_RUNTIME_DIR!, { mode: 0o700 });
    giveToTestUser(host, env.XDG_RUNTIME_DIR!);
  });

  afterAll(() => tmp?.cleanup());

  it('--config /dev/zero is exit 2 at once, with bounded memory (it used to read until 2 GB)', async () => {
    // the child reports its own peak memory as it exits
    const preload = join(tmp.dir, 'maxrss.cjs');
    const rssFile = join(tmp.dir, 'maxrss');
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
    );
    giveToTestUser(host, preload);
    const started = Date.now();
    const r = await runAsTestUser(
      host,
      [
        process.execPath,
        '--require',
        preload,
        AGS_BIN,
        '--config',
        '/dev/zero',
        '--agent',
        'shell',
        '--',
        '-c',
        'true',
      ],
      { cwd: repo, env, stdin: 'ignore', timeout: 30_000 },
    );
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(oneLine(r.stderr)).toBe('ags: cannot read the config file /dev/zero: it is a character device');
    expect(Date.now() - started).toBeLessThan(10_000);
    const maxRssKb = Number(readFileSync(rssFile, 'utf8'));
    expect(maxRssKb).toBeGreaterThan(0);
    expect(maxRssKb).toBeLessThan(200 * 1024);
  });

  it('a config file over 1 MiB is exit 2', async () => {
    const big = join(tmp.dir, 'big.toml');
    writeFileSync(big, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    giveToTestUser(host, big);
    const r = await ags(['--config', big, 'config', 'show']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe(`ags: cannot read the config file ${big}: it is larger than 1 MiB`);
  });

  it('--config "" is exit 2 for a run, never a run on the default config', async () => {
    const r = await ags(['--config', '', '--agent', 'shell', '--dry-run']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe('ags: --config needs a path');
    expect(String(r.stdout)).toBe('');
  });

  it('an invalid sandbox.image is exit 2 naming the key; podman is never reached', async () => {
    const dir = join(tmp.dir, 'bad-image');
    const config = writeTestConfig(host, dir, '', { image: 'Localhost/AGS Test:latest' });
    const r = await ags(['--config', config, '--agent', 'shell', '--', '-c', 'echo ran']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      `ags: ${config}:2:1: sandbox.image: is not a valid image reference (NAME[:TAG][@DIGEST]): contains a space, control or non-ASCII character`,
    );
    expect(String(r.stdout)).not.toContain('ran');
  });

  it('an invalid sandbox.base_image and --base-image are exit 2 before any build', async () => {
    const dir = join(tmp.dir, 'bad-base');
    const config = writeTestConfig(host, dir, '', { sandbox: 'base_image = "node:"' });
    let r = await ags(['--config', config, 'update-image']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toMatch(
      /sandbox\.base_image: is not a valid image reference .*the tag "" may hold only/,
    );

    const good = writeTestConfig(host, join(tmp.dir, 'good'));
    r = await ags(['--config', good, 'update-image', '--base-image', 'docker.io/Library/Node']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe(
      'ags: --base-image "docker.io/Library/Node": not a valid image reference (NAME[:TAG][@DIGEST]): the repository path must be lowercase ("Library")',
    );
  });

  it('guard explain --policy with a missing file is exit 2, not a warning and the built-in policy', async () => {
    const missing = join(tmp.dir, 'no-such-policy.json');
    const r = await ags(['guard', 'explain', '--policy', missing, '--', 'rm -rf /']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe(`ags: cannot read policy ${missing}: ENOENT`);
    expect(String(r.stdout)).toBe('');
  });

  it('config init into a directory, or where the user may not write, is one line', async () => {
    const dir = join(tmp.dir, 'a-directory');
    mkdirSync(dir);
    giveToTestUser(host, dir);
    let r = await ags(['--config', dir, 'config', 'init', '--force']);
    expect(r.exitCode).toBe(2);
    expect(oneLine(r.stderr)).toBe(`ags: cannot write the starter config ${dir}: it is a directory`);

    // the test user may not create anything under /root (0700) or write into / (root's)
    for (const target of ['/root/ags-config-input-test/config.toml', '/ags-config-input-test.toml']) {
      r = await ags(['--config', target, 'config', 'init']);
      expect(r.exitCode, target).toBe(2);
      expect(oneLine(r.stderr)).toBe(`ags: cannot write the starter config ${target}: permission denied`);
      expect(existsSync(target)).toBe(false);
    }
  });
});
