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
import { ConfigError, UsageError } from '../../../src/errors.js';
import { loadConfig, type ConfigIO, type LoadOptions } from '../../../src/config/index.js';
import { parseSource } from '../../../src/config/load.js';

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
  it('is not read at all when readOverlay says no (lockdown): a broken one is no error, and nothing is asked', async () => {
    write(userConfig(), '[agents.claude]\nlockdown = true\n');
    write(overlayFile(), 'this is [[[ not toml');
    const asked: boolean[] = [];
    const o = opts({
      interactive: true,
      io: io('y'),
      readOverlay: (user) => {
        asked.push(user.agents.claude.lockdown);
        return false;
      },
    });
    const loaded = await loadConfig(o);
    expect(loaded.overlay).toEqual({ path: overlayFile(), status: 'not-read' });
    expect(asked).toEqual([true]);
    expect(o.io!.ask).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });

  it("an overlay may not set an agent's lockdown default", async () => {
    write(overlayFile(), '[agents.claude]\nlockdown = false\n');
    await expect(loadConfig(opts())).rejects.toThrow(
      /agents\.claude\.lockdown: not allowed in a repo overlay/,
    );
  });

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

  it('may not put a host variable into a path: its value would reach the sandbox unnamed', async () => {
    env.GITHUB_TOKEN = 'ghp_canary_value';
    write(overlayFile(), '[[mount]]\nhost = "/tmp/$GITHUB_TOKEN"\nmode = "ro"\ncreate = true\n');
    const o = opts({ interactive: true, io: io('y') });
    const err = (await loadConfig(o).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(
      'mount[0].host: a repo overlay may use only ~, $HOME and the XDG base directories',
    );
    expect(err.message).not.toContain('ghp_canary_value');
    expect(o.io!.ask).not.toHaveBeenCalled();
    expect(existsSync('/tmp/ghp_canary_value')).toBe(false);
  });

  it('may use ~, $HOME and the XDG base directories in paths', async () => {
    write(overlayFile(), '[[mount]]\nhost = "$XDG_CACHE_HOME/x"\nmode = "ro"\noptional = true\n');
    const loaded = await loadConfig(opts({ interactive: true, io: io('y') }));
    expect(loaded.overlay.status).toBe('applied');
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

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

const CANARY = 'CANARY_d41d8cd98f00b204';

describe('what a config path may name', () => {
  it('--config "" is a usage error, not the default config', async () => {
    write(userConfig(), '[sandbox]\nimage = "default-file"\n');
    const err = await loadConfig(opts({ configPath: '' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toBe('--config needs a path');
  });

  it('--config /dev/zero is refused before a byte is read', async () => {
    const started = Date.now();
    const err = await failure(loadConfig(opts({ configPath: '/dev/zero' })));
    expect(err.message).toBe('cannot read the config file /dev/zero: it is a character device');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a user config over 1 MiB is refused', async () => {
    const big = join(tmp, 'big.toml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    const err = await failure(loadConfig(opts({ configPath: big })));
    expect(err.message).toBe(`cannot read the config file ${big}: it is larger than 1 MiB`);
  });

  it('a FIFO as the user config is refused without waiting for a writer', async () => {
    const fifo = join(tmp, 'fifo.toml');
    execFileSync('mkfifo', [fifo]);
    const err = await failure(loadConfig(opts({ configPath: fifo })));
    expect(err.message).toBe(`cannot read the config file ${fifo}: it is a named pipe (FIFO)`);
  });

  it('a user config that is a symbolic link to a regular file is followed (dotfile managers do that)', async () => {
    write(join(tmp, 'dotfiles', 'ags.toml'), '[sandbox]\nimage = "linked"\n');
    mkdirSync(join(tmp, 'cfg', 'ags'), { recursive: true });
    symlinkSync(join(tmp, 'dotfiles', 'ags.toml'), userConfig());
    expect((await loadConfig(opts())).config.sandbox.image).toBe('linked');
  });

  it('a file that is not UTF-8 text is refused without quoting it', async () => {
    const bin = join(tmp, 'bin.toml');
    writeFileSync(bin, Buffer.from([0x5b, 0xff, 0xfe, 0x1b, 0x5d, 0x0a]));
    const err = await failure(loadConfig(opts({ configPath: bin })));
    expect(err.message).toBe(`${bin}: not a text file (it is not valid UTF-8)`);
  });
});

describe('an overlay that is not a plain file in the repository', () => {
  const secret = () => join(tmp, 'home', '.aws', 'credentials');
  beforeEach(() => {
    // a secret whose text is also broken TOML, so a parse error would quote it
    write(secret(), `[default]\naws_secret_access_key = ${CANARY}\n`);
  });

  it('a symlinked config.toml is refused with one line, and its target is never quoted', async () => {
    mkdirSync(join(repo, '.ags'));
    symlinkSync(secret(), overlayFile());
    const o = opts({ interactive: true, io: io('y') });
    const err = await failure(loadConfig(o));
    expect(err.message).toBe(`refusing the repo overlay ${overlayFile()}: it is a symbolic link`);
    expect(err.hint).toContain('a repo overlay must be a regular file inside the repository');
    expect(`${err.message}\n${err.hint}\n${warnings.join('\n')}`).not.toContain(CANARY);
    expect(o.io!.ask).not.toHaveBeenCalled();
  });

  it('a symlinked .ags directory is refused too', async () => {
    mkdirSync(join(tmp, 'elsewhere'));
    symlinkSync(secret(), join(tmp, 'elsewhere', 'config.toml'));
    symlinkSync(join(tmp, 'elsewhere'), join(repo, '.ags'));
    const err = await failure(loadConfig(opts()));
    expect(err.message).toBe(
      `refusing the repo overlay ${overlayFile()}: ${join(repo, '.ags')} is a symbolic link`,
    );
    expect(err.message + (err.hint ?? '')).not.toContain(CANARY);
  });

  it('a FIFO is refused at once instead of hanging the read', async () => {
    mkdirSync(join(repo, '.ags'));
    execFileSync('mkfifo', [overlayFile()]);
    const err = await failure(loadConfig(opts()));
    expect(err.message).toBe(`refusing the repo overlay ${overlayFile()}: it is a named pipe (FIFO)`);
  });

  it('a directory named config.toml is refused', async () => {
    mkdirSync(overlayFile(), { recursive: true });
    const err = await failure(loadConfig(opts()));
    expect(err.message).toBe(`refusing the repo overlay ${overlayFile()}: it is a directory`);
  });

  it('an overlay over 1 MiB is refused', async () => {
    write(overlayFile(), `# ${'x'.repeat(1024 * 1024)}\n`);
    const err = await failure(loadConfig(opts()));
    expect(err.message).toBe(`cannot read the repo overlay ${overlayFile()}: it is larger than 1 MiB`);
  });

  it('a syntax error in an overlay names the place and quotes none of its content', async () => {
    write(overlayFile(), `[sandbox]\npassthrough_env = ["A"] ${CANARY}\n`);
    const err = await failure(loadConfig(opts()));
    expect(err.message).toMatch(new RegExp(`^${overlayFile()}:2:25: invalid TOML: `));
    expect(err.hint).toContain('ags does not echo the content of a repo overlay');
    expect(`${err.message}\n${err.hint}`).not.toContain(CANARY);
  });
});

describe('the trust question for an overlay full of escape sequences', () => {
  it('shows every change, escaped, and prints no raw control character', async () => {
    write(
      overlayFile(),
      [
        '[[mount]]',
        'host = "~/.ssh"',
        'mode = "rw"',
        '[sandbox]',
        'passthrough_env = ["AWS_SECRET_ACCESS_KEY"]',
        '[[guard.rules]]',
        'id = "x"',
        'pattern = "x"',
        // moves up over the lines above, clears them, and prints a reassuring one
        'reason = "\\u001b[1A\\u001b[2K\\u001b[1A\\u001b[2K\\r  - (change nothing)\\u202e\\u009b"',
        '',
      ].join('\n'),
    );
    const o = opts({ interactive: true, io: io('n') });
    await loadConfig(o);
    const shown = warnings.join('\n');
    expect(shown).toContain(`mount host path ${join(tmp, 'home', '.ssh')} READ-WRITE`);
    expect(shown).toContain('pass host env vars into the sandbox: AWS_SECRET_ACCESS_KEY');
    expect(shown).toContain(
      'add guard rule "x": "x" (\\x1b[1A\\x1b[2K\\x1b[1A\\x1b[2K\\r  - (change nothing)\\u202e\\x9b)',
    );
    for (const line of warnings) expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });
});

describe('TOML syntax errors in a user config', () => {
  const hintOf = (text: string) => {
    try {
      parseSource('/c.toml', text);
    } catch (err) {
      return (err as ConfigError).hint;
    }
    throw new Error('parsed');
  };

  it('quote the line, escaped', () => {
    expect(hintOf('[sandbox]\nimage = "a" \u001b[2J\u202e\n')).toBe('at: image = "a" \\x1b[2J\\u202e');
  });

  it('quote only the part of a 400 KB line around the error', () => {
    const hint = hintOf(`[sandbox]\nimage = "a" ${'x'.repeat(200_000)}\u001b${'y'.repeat(200_000)}\n`);
    expect(hint).toBe(`at: image = "a" ${'x'.repeat(40)}...`);
  });

  it('mark both cuts when the error is in the middle of a long line', () => {
    const hint = hintOf(`a = [${'1,'.repeat(50_000)} x, ${'2,'.repeat(50_000)}]\n`);
    expect(hint).toMatch(/^at: \.\.\.[1,]+ x, [2,]+\.\.\.$/);
    expect(hint!.length).toBeLessThan(100);
  });

  it('never put a raw control character in the message', () => {
    let err: ConfigError | undefined;
    try {
      parseSource('/c\u001b.toml', 'a = "\u0007\u0008"\n');
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toBe(
      '/c\\x1b.toml:1:6: invalid TOML: control characters are not allowed in strings',
    );
    expect(err!.hint).toBe('at: a = "\\x07\\x08"');
  });
});

describe('keys a file invents', () => {
  it('are escaped and cut in schema errors', async () => {
    write(overlayFile(), `[sandbox]\n"ima\\u001b[2Kge${'x'.repeat(5000)}" = 1\n`);
    let err = await failure(loadConfig(opts()));
    expect(err.message).toMatch(
      new RegExp(
        `^${overlayFile()}:2:1: sandbox\\."ima\\\\x1b\\[2Kgex+"\\.\\.\\. \\[cut: \\d+ more characters\\]: unknown key; allowed: `,
      ),
    );
    expect(err.message.length).toBeLessThan(overlayFile().length + 400);

    write(overlayFile(), '[agents.claude.env]\n"A\\u202eB" = "x"\n');
    err = await failure(loadConfig(opts()));
    expect(err.message).toContain(
      'agents.claude.env."A\\u202eB": invalid name "A\\u202eB": must be an environment variable name',
    );
    expect(err.message).not.toMatch(/\p{Cf}/u);
  });
});
