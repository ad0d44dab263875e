import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/cli/errors.js';
import { loadConfig, type ConfigIO, type LoadOptions } from '../../../src/config/index.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let repo: string;
let warnings: string[];

function io(answer: string | null = null): ConfigIO & { ask: ReturnType<typeof vi.fn> } {
  return { warn: (l: string) => warnings.push(l), ask: vi.fn(async () => answer) };
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

function opts(over: Partial<LoadOptions> = {}): LoadOptions {
  return { cwd: repo, env, interactive: false, io: io(), ...over };
}

const userConfig = () => join(tmp, 'cfg', 'ags', 'config.toml');
const overlayFile = () => join(repo, '.ags', 'config.toml');
const trustFile = () => join(tmp, 'state', 'ags', 'trust.json');

const OVERLAY = `[[mount]]
host = "../data"
container = "/data"
mode = "rw"

[[secret]]
env = "NPM_TOKEN"
from_env = "NPM_TOKEN"

[network]
allow_host_loopback = true

[[guard.rules]]
id = "no-publish"
pattern = "npm publish"
reason = "releases go through CI"
`;

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-load-')));
  repo = join(tmp, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q', repo]);
  env = {
    HOME: join(tmp, 'home'),
    PATH: process.env.PATH,
    XDG_CONFIG_HOME: join(tmp, 'cfg'),
    XDG_STATE_HOME: join(tmp, 'state'),
    XDG_CACHE_HOME: join(tmp, 'cache'),
    XDG_DATA_HOME: join(tmp, 'data'),
  };
  warnings = [];
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('loading the user config', () => {
  it('runs on the built-in defaults when there is no config file, outside any repository', async () => {
    const outside = join(tmp, 'outside');
    mkdirSync(outside);
    const loaded = await loadConfig(opts({ cwd: outside }));
    expect(loaded.userConfigPath).toBeNull();
    expect(loaded.repoRoot).toBeNull();
    expect(loaded.overlay).toEqual({ path: '', status: 'absent' });
    expect(loaded.config.sandbox.cache_dir).toBe(join(tmp, 'cache', 'ags'));
    expect(loaded.origins['sandbox.image']).toBe('default');
    expect(existsSync(userConfig())).toBe(false);
  });

  it('reads $XDG_CONFIG_HOME/ags/config.toml; relative paths resolve against its directory', async () => {
    write(
      userConfig(),
      '[sandbox]\nimage = "mine"\n\n[[mount]]\nhost = "notes"\nmode = "ro"\n[[mount]]\nhost = "~/x"\nmode = "rw"\n',
    );
    const loaded = await loadConfig(opts());
    expect(loaded.userConfigPath).toBe(userConfig());
    expect(loaded.config.sandbox.image).toBe('mine');
    expect(loaded.config.mount[0]).toMatchObject({
      host: join(tmp, 'cfg', 'ags', 'notes'),
      container: join(tmp, 'cfg', 'ags', 'notes'),
    });
    expect(loaded.config.mount[1]!.host).toBe(join(tmp, 'home', 'x'));
    expect(loaded.origins['sandbox.image']).toBe('user');
    expect(loaded.origins['mount[1]']).toBe('user');
  });

  it('--config PATH must exist: a missing one is a ConfigError (exit 2) and is never created', async () => {
    const missing = join(tmp, 'nope.toml');
    const err = await loadConfig(opts({ configPath: missing })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toBe(`config file not found: ${missing}`);
    expect((err as ConfigError).hint).toContain('config init');
    expect(existsSync(missing)).toBe(false);
  });

  it('--config PATH is relative to the cwd and replaces the default file', async () => {
    write(userConfig(), '[sandbox]\nimage = "default-file"\n');
    write(join(repo, 'alt.toml'), '[sandbox]\nimage = "alt"\n');
    const loaded = await loadConfig(opts({ configPath: 'alt.toml' }));
    expect(loaded.userConfigPath).toBe(join(repo, 'alt.toml'));
    expect(loaded.config.sandbox.image).toBe('alt');
  });

  it('an undefined variable names the field and its location', async () => {
    write(userConfig(), '[sandbox]\nssh_keys = ["$NOT_SET_ANYWHERE/id"]\n');
    await expect(loadConfig(opts())).rejects.toThrow(
      `${userConfig()}:2:13: sandbox.ssh_keys[0]: undefined variable $NOT_SET_ANYWHERE`,
    );
  });
});

describe('the repo overlay', () => {
  it('is absent in a repository without .ags/config.toml', async () => {
    const loaded = await loadConfig(opts());
    expect(loaded.repoRoot).toBe(repo);
    expect(loaded.overlay).toEqual({ path: overlayFile(), status: 'absent' });
  });

  it('without a terminal, an untrusted overlay is skipped with one warning', async () => {
    write(overlayFile(), OVERLAY);
    const o = opts({ io: io('y') });
    const loaded = await loadConfig(o);
    expect(loaded.overlay.status).toBe('untrusted-skipped');
    expect(o.io!.ask).not.toHaveBeenCalled();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ags: warning: skipping the untrusted repo overlay .*\.ags\/config\.toml/);
    expect(loaded.config.mount).toEqual([]);
    expect(loaded.config.network.allow_host_loopback).toBe(false);
  });

  it('asks on a terminal, shows what it widens, and applies it once trusted', async () => {
    write(userConfig(), '[[mount]]\nhost = "/u"\nmode = "ro"\n');
    write(overlayFile(), OVERLAY);
    const first = opts({ interactive: true, io: io('y') });
    const loaded = await loadConfig(first);
    expect(first.io!.ask).toHaveBeenCalledWith('Trust this overlay? [y/N] ');
    const shown = warnings.join('\n');
    expect(shown).toContain(`mount host path ${join(repo, 'data')} at /data READ-WRITE`);
    expect(shown).toContain('read host env var NPM_TOKEN into secret NPM_TOKEN');
    expect(shown).toContain("let the sandbox reach the host's loopback services");
    expect(shown).toContain('add guard rule "no-publish": "npm publish"');
    expect(loaded.overlay.status).toBe('applied');
    // overlay entries come after the user's; relative paths resolve against .ags/
    expect(loaded.config.mount.map((m) => m.host)).toEqual(['/u', join(repo, 'data')]);
    expect(loaded.config.secret).toEqual([{ env: 'NPM_TOKEN', from_env: 'NPM_TOKEN' }]);
    expect(loaded.origins['mount[0]']).toBe('user');
    expect(loaded.origins['mount[1]']).toBe('overlay');
    expect(loaded.origins['network.allow_host_loopback']).toBe('overlay');

    // stored: repo real path + content hash, file mode 0600
    expect(statSync(trustFile()).mode & 0o777).toBe(0o600);
    const store = JSON.parse(readFileSync(trustFile(), 'utf8')) as {
      entries: { repo: string; sha256: string }[];
    };
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]!.repo).toBe(repo);

    // the next load does not ask
    const second = opts({ interactive: true, io: io(null) });
    expect((await loadConfig(second)).overlay.status).toBe('applied');
    expect(second.io!.ask).not.toHaveBeenCalled();
  });

  it('asks again when the overlay content changes', async () => {
    write(overlayFile(), OVERLAY);
    await loadConfig(opts({ interactive: true, io: io('yes') }));
    write(overlayFile(), `${OVERLAY}\n[agents.claude]\nhost_home = true\n`);
    warnings = [];
    const again = opts({ interactive: true, io: io('n') });
    const loaded = await loadConfig(again);
    expect(again.io!.ask).toHaveBeenCalledOnce();
    expect(warnings.join('\n')).toContain('it changed since you trusted it');
    expect(warnings.join('\n')).toContain("mount the host's own claude home READ-WRITE");
    expect(loaded.overlay.status).toBe('declined');
    expect(loaded.config.agents.claude.host_home).toBe(false);
    // and without a terminal the changed overlay is skipped, not applied
    expect((await loadConfig(opts())).overlay.status).toBe('untrusted-skipped');
  });

  it('a "no" or end of input declines and remembers nothing', async () => {
    write(overlayFile(), OVERLAY);
    for (const answer of ['', 'n', 'nope', null]) {
      expect((await loadConfig(opts({ interactive: true, io: io(answer) }))).overlay.status).toBe('declined');
    }
    expect(existsSync(trustFile())).toBe(false);
  });

  it('trust follows the real path of the repository', async () => {
    write(overlayFile(), OVERLAY);
    await loadConfig(opts({ interactive: true, io: io('y') }));
    const link = join(tmp, 'link');
    symlinkSync(repo, link);
    expect((await loadConfig(opts({ cwd: link }))).overlay.status).toBe('applied');
  });

  it('is checked before anyone is asked: a forbidden key is a located ConfigError', async () => {
    write(overlayFile(), '[[mount]]\nhost = "."\nmode = "ro"\n\n[sandbox]\nimage = "evil"\n');
    const o = opts({ interactive: true, io: io('y') });
    const err = (await loadConfig(o).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `${overlayFile()}:6:1: sandbox.image: not allowed in a repo overlay: it chooses the image the sandbox runs`,
    );
    expect(o.io!.ask).not.toHaveBeenCalled();
    expect(existsSync(trustFile())).toBe(false);
  });

  it('may not define command secrets, even when trusted content is otherwise fine', async () => {
    write(overlayFile(), '[[secret]]\nenv = "X"\ncommand = ["/bin/echo", "hi"]\n');
    await expect(loadConfig(opts({ interactive: true, io: io('y') }))).rejects.toThrow(
      `${overlayFile()}:3:1: secret[0].command: not allowed in a repo overlay`,
    );
  });

  it('a malformed overlay is an error in the overlay file, trusted or not', async () => {
    write(overlayFile(), '[network]\nmode = "hots"\n');
    await expect(loadConfig(opts())).rejects.toThrow(
      `${overlayFile()}:2:1: network.mode: invalid value "hots"`,
    );
  });

  it('is ignored when it is the user config itself', async () => {
    write(overlayFile(), '[sandbox]\nimage = "same"\n');
    const loaded = await loadConfig(opts({ configPath: overlayFile(), interactive: true, io: io('y') }));
    expect(loaded.overlay.status).toBe('absent');
    expect(loaded.config.sandbox.image).toBe('same');
  });

  it('a damaged trust store is a ConfigError with a fix', async () => {
    write(overlayFile(), OVERLAY);
    write(trustFile(), '{ not json');
    const err = (await loadConfig(opts()).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('is damaged');
    expect(err.hint).toContain('delete it');
  });
});
