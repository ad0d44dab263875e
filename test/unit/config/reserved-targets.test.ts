import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { loadConfig } from '../../../src/config/index.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let repo: string;

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-reserved-')));
  repo = join(tmp, 'repo');
  mkdirSync(join(repo, '.ags'), { recursive: true });
  execFileSync('git', ['init', '-q', repo]);
  env = {
    HOME: join(tmp, 'home'),
    PATH: process.env.PATH,
    XDG_CONFIG_HOME: join(tmp, 'cfg'),
    XDG_STATE_HOME: join(tmp, 'state'),
  };
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function loadError(user: string, overlay?: string): Promise<string> {
  mkdirSync(join(tmp, 'cfg', 'ags'), { recursive: true });
  writeFileSync(join(tmp, 'cfg', 'ags', 'config.toml'), user);
  if (overlay !== undefined) writeFileSync(join(repo, '.ags', 'config.toml'), overlay);
  const err = await loadConfig({
    cwd: repo,
    env,
    interactive: false,
    io: { warn: () => {}, ask: async () => null },
  }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message;
}

describe("mount targets on ags's control paths are config errors, located", () => {
  it.each([
    [
      '[[mount]]\nhost = "/srv"\ncontainer = "/run/ags"\nmode = "ro"\n',
      /config\.toml:3:1: mount\[0\]\.container: container path \/run\/ags is \/run\/ags /,
    ],
    [
      '[[mount]]\nhost = "/srv"\ncontainer = "/opt"\nmode = "ro"\n',
      /:3:1: mount\[0\]\.container: container path \/opt contains \/opt\/ags /,
    ],
    [
      '[[agent_mount]]\nagent = "gemini"\nhost = "~/.gemini"\nmode = "rw"\n',
      /:3:1: agent_mount\[0\]\.host: mounted at .*\/home\/\.gemini, which contains .*ags-sandbox/,
    ],
    [
      '[[tool]]\nname = "x"\npath = "/bin/true"\ncontainer = "/opt/ags/sandbox/claude-hook.cjs"\n',
      /:4:1: tool\[0\]\.container: container path \/opt\/ags\/sandbox\/claude-hook\.cjs is inside \/opt\/ags/,
    ],
    [
      '[[tool]]\nname = "x"\npath = "/bin/true"\n\n[[tool.directory]]\nhost = "/srv"\ncontainer = "/run/ags-ssh"\nmode = "ro"\n',
      /:7:1: tool\[0\]\.directory\[0\]\.container: .* is \/run\/ags-ssh/,
    ],
    [
      '[[mount]]\nhost = "/srv"\ncontainer = "/etc/codex/requirements.toml"\nmode = "ro"\nkind = "file"\n',
      /is inside \/etc\/codex \(OpenAI Codex CLI's system-wide settings\)/,
    ],
  ])('in the user config: %s', async (toml, expected) => {
    expect(await loadError(toml)).toMatch(expected);
  });

  it('in a repo overlay, before anyone is asked to trust it', async () => {
    const message = await loadError(
      '',
      '[[mount]]\nhost = "../x"\ncontainer = "/run/ags/guard-policy.json"\nkind = "file"\nmode = "ro"\n',
    );
    expect(message).toMatch(
      /repo\/\.ags\/config\.toml:3:1: mount\[0\]\.container: container path \/run\/ags\/guard-policy\.json is inside \/run\/ags/,
    );
  });
});
