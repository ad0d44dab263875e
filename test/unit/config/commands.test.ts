import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { addTrust, sha256 } from '../../../src/config/trust.js';
import { starterConfig } from '../../../src/config/starter.js';
import { capture } from '../../support/capture.js';

let tmp: string;
const cfg = () => join(tmp, 'cfg', 'ags', 'config.toml');
const store = () => join(tmp, 'state', 'ags', 'trust.json');

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-cmd-')));
  vi.stubEnv('HOME', join(tmp, 'home'));
  vi.stubEnv('XDG_CONFIG_HOME', join(tmp, 'cfg'));
  vi.stubEnv('XDG_STATE_HOME', join(tmp, 'state'));
  vi.stubEnv('XDG_CACHE_HOME', join(tmp, 'cache'));
  vi.stubEnv('XDG_DATA_HOME', join(tmp, 'data'));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
  rmSync(tmp, { recursive: true, force: true });
});

describe('ags config', () => {
  it('path prints the XDG location, or the --config one', async () => {
    let io = capture();
    expect(await runCli(['config', 'path'])).toBe(0);
    expect(io.out()).toBe(`${cfg()}\n`);
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['--config', join(tmp, 'x.toml'), 'config', 'path'])).toBe(0);
    expect(io.out()).toBe(`${join(tmp, 'x.toml')}\n`);
  });

  it('init writes the starter file and refuses to overwrite it without --force', async () => {
    let io = capture();
    expect(await runCli(['config', 'init'])).toBe(0);
    expect(readFileSync(cfg(), 'utf8')).toBe(starterConfig());
    expect(io.out()).toBe(`wrote ${cfg()}\n`);
    writeFileSync(cfg(), '# mine\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['config', 'init'])).toBe(2);
    expect(io.err()).toBe(
      `ags: ${cfg()} already exists\n  use \`ags config init --force\` to overwrite it\n`,
    );
    expect(readFileSync(cfg(), 'utf8')).toBe('# mine\n');
    vi.restoreAllMocks();
    capture();
    expect(await runCli(['config', 'init', '--force'])).toBe(0);
    expect(readFileSync(cfg(), 'utf8')).toBe(starterConfig());
  });

  it('init honours --config, also given after the subcommand', async () => {
    capture();
    const target = join(tmp, 'elsewhere', 'ags.toml');
    expect(await runCli(['config', 'init', '--config', target])).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(starterConfig());
  });

  it('validate: ok for a good file; without a file, says the defaults apply', async () => {
    let io = capture();
    expect(await runCli(['config', 'validate'])).toBe(0);
    expect(io.out()).toContain(`no config file at ${cfg()}; the built-in defaults apply`);
    mkdirSync(join(tmp, 'cfg', 'ags'), { recursive: true });
    writeFileSync(cfg(), '[sandbox]\nimage = "x"\n');
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['config', 'validate'])).toBe(0);
    expect(io.out()).toContain(`ok: ${cfg()}`);
  });

  it('validate --config with a missing file is exit 2', async () => {
    const io = capture();
    expect(await runCli(['--config', join(tmp, 'missing.toml'), 'config', 'validate'])).toBe(2);
    expect(io.err()).toBe(`ags: config file not found: ${join(tmp, 'missing.toml')}\n`);
  });

  it('show --json prints the config with origins', async () => {
    const file = join(tmp, 'c.toml');
    writeFileSync(file, '[runtime]\npids_limit = 99\n');
    const io = capture();
    expect(await runCli(['--config', file, 'config', 'show', '--json'])).toBe(0);
    const shown = JSON.parse(io.out()) as {
      config: { runtime: { pids_limit: number } };
      origins: Record<string, string>;
      user_config: string;
    };
    expect(shown.config.runtime.pids_limit).toBe(99);
    expect(shown.origins['runtime.pids_limit']).toBe('user');
    expect(shown.origins['runtime.engine']).toBe('default');
    expect(shown.user_config).toBe(file);
  });

  it('show prints one `key = value  # origin` line per value', async () => {
    const file = join(tmp, 'c.toml');
    writeFileSync(file, '[[mount]]\nhost = "/srv"\nmode = "ro"\n');
    const io = capture();
    expect(await runCli(['--config', file, 'config', 'show'])).toBe(0);
    expect(io.out()).toContain(`# user config: ${file}`);
    expect(io.out()).toContain('sandbox.image = "localhost/ags:latest"  # default\n');
    expect(io.out()).toContain(
      'mount[0] = { host = "/srv", container = "/srv", mode = "ro", kind = "dir", create = false, optional = false }  # user\n',
    );
  });

  it('schema prints a JSON Schema', async () => {
    const io = capture();
    expect(await runCli(['config', 'schema'])).toBe(0);
    const schema = JSON.parse(io.out()) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toContain('json-schema.org');
    expect(Object.keys(schema.properties)).toContain('mount');
  });

  it('an unknown subcommand or option is exit 2 with the ags prefix', async () => {
    let io = capture();
    expect(await runCli(['config', 'shwo'])).toBe(2);
    expect(io.err()).toContain("ags: unknown command 'shwo'");
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['config', 'show', '--jsn'])).toBe(2);
    expect(io.err()).toContain("ags: unknown option '--jsn'");
  });
});

describe('ags config: bad paths are one line', () => {
  /** Runs the CLI; returns the exit code and output, and checks there was no stack trace. */
  async function run(args: string[]) {
    const io = capture();
    const code = await runCli(args);
    vi.restoreAllMocks();
    expect(io.err()).not.toMatch(/\n\s+at |internal error/);
    return { code, err: io.err(), out: io.out() };
  }

  it('init into a directory: exit 2, one line and a hint, with or without --force', async () => {
    const dir = join(tmp, 'somedir');
    mkdirSync(dir);
    for (const force of [[], ['--force']]) {
      const r = await run(['--config', dir, 'config', 'init', ...force]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `ags: cannot write the starter config ${dir}: it is a directory\n` +
          `  give the file's path, for example: ags --config ${join(dir, 'config.toml')} config init\n`,
      );
    }
  });

  it('init under a regular file: exit 2, one line', async () => {
    writeFileSync(join(tmp, 'afile'), '');
    const target = join(tmp, 'afile', 'ags', 'config.toml');
    const r = await run(['--config', target, 'config', 'init']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `ags: cannot write the starter config ${target}: a part of the path is not a directory\n` +
        '  choose a path you can write: ags --config PATH config init\n',
    );
  });

  it('init into a path nobody may create (/sys, even as root): exit 2, one line', async () => {
    const r = await run(['--config', '/sys/ags-test-config.toml', 'config', 'init', '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^ags: cannot write the starter config \/sys\/ags-test-config\.toml: [a-z -]+\n {2}\S.*\n$/,
    );
  });

  it('init never writes into a FIFO (it would block), even with --force', async () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await run(['--config', fifo, 'config', 'init', '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('it exists and is not a regular file');
  });

  it('init --force writes through a symlinked config file, as editors do', async () => {
    const real = join(tmp, 'dotfiles', 'ags.toml');
    mkdirSync(join(tmp, 'dotfiles'));
    writeFileSync(real, '# old\n');
    symlinkSync(real, join(tmp, 'link.toml'));
    expect((await run(['--config', join(tmp, 'link.toml'), 'config', 'init', '--force'])).code).toBe(0);
    expect(readFileSync(real, 'utf8')).toBe(starterConfig());
  });

  it('--config "" is exit 2 "--config needs a path" in every config command', async () => {
    for (const cmd of [['show'], ['validate'], ['path'], ['init']]) {
      const r = await run(['--config', '', 'config', ...cmd]);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.err).toBe(
        'ags: --config needs a path\n  give the config file to use, or leave out --config for the default\n',
      );
    }
  });

  it('show escapes what a config file holds, and --json escapes what JSON leaves raw', async () => {
    const file = join(tmp, 'c.toml');
    writeFileSync(file, '[agents.claude.env]\nX = "a\\u001b[2Jb\\u202ec\\u009b"\n');
    let r = await run(['--config', file, 'config', 'show']);
    expect(r.out).toContain('agents.claude.env.X = "a\\x1b[2Jb\\u202ec\\x9b"  # user\n');
    expect(r.out.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    r = await run(['--config', file, 'config', 'show', '--json']);
    expect(r.out).toContain('"X": "a\\u001b[2Jb\\u202ec\\u009b"');
    expect(r.out.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    const shown = JSON.parse(r.out) as { config: { agents: { claude: { env: { X: string } } } } };
    expect(shown.config.agents.claude.env.X).toBe('a\u001b[2Jb\u202ec\u009b');
  });
});

describe('ags trust', () => {
  it('list shows trusted repositories and whether their overlay changed', async () => {
    const repo = join(tmp, 'r');
    mkdirSync(join(repo, '.ags'), { recursive: true });
    writeFileSync(join(repo, '.ags', 'config.toml'), 'a');
    addTrust(store(), { repo, sha256: sha256(Buffer.from('a')), overlay: join(repo, '.ags', 'config.toml') });
    let io = capture();
    expect(await runCli(['trust', 'list'])).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^${repo}\\t[0-9a-f]{12}\\t\\S+\\tcurrent\\n$`));
    writeFileSync(join(repo, '.ags', 'config.toml'), 'b');
    vi.restoreAllMocks();
    io = capture();
    await runCli(['trust', 'list']);
    expect(io.out()).toContain('changed since (will ask again)');
  });

  it('revoke forgets a repository; revoking an untrusted one says so', async () => {
    const repo = join(tmp, 'r');
    mkdirSync(repo);
    addTrust(store(), { repo, sha256: '0'.repeat(64), overlay: join(repo, '.ags', 'config.toml') });
    let io = capture();
    expect(await runCli(['trust', 'revoke', repo])).toBe(0);
    expect(io.out()).toBe(`revoked: ${repo}\n`);
    expect(JSON.parse(readFileSync(store(), 'utf8'))).toEqual({ version: 1, entries: [] });
    expect(statSync(store()).mode & 0o777).toBe(0o600);
    vi.restoreAllMocks();
    io = capture();
    expect(await runCli(['trust', 'revoke', repo])).toBe(0);
    expect(io.err()).toBe(`ags: ${repo} was not trusted; nothing to revoke\n`);
  });

  it('list with no store says there is nothing', async () => {
    const io = capture();
    expect(await runCli(['trust', 'list'])).toBe(0);
    expect(io.out()).toBe('no trusted repo overlays\n');
  });
});
