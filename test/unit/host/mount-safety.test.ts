import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../agents/index.js';
import { agsOwnPaths, userHomes } from '../../../src/host/ags-dirs.js';
import { type MountSafety, hostPathProblem } from '../../../src/host/mount-safety.js';
import { reservedContainerPaths } from '../../../src/plan/reserved.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
let safety: MountSafety;

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-safety-')));
  mkdirSync(join(tmp, 'home'));
  env = { HOME: join(tmp, 'home'), XDG_RUNTIME_DIR: join(tmp, 'run') };
  safety = {
    homes: userHomes(env),
    agsPaths: agsOwnPaths({
      env,
      uid: 1000,
      configFile: join(tmp, 'etc', 'ags.toml'),
      dataDir: join(tmp, 'data'),
      cacheDir: join(tmp, 'home', '.cache', 'ags'),
    }),
    reserved: reservedContainerPaths(join(tmp, 'home'), Object.values(ADAPTERS)),
  };
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('host paths a run may mount', () => {
  it('refuses the root, the home and what contains it, by real path, with the password home too', () => {
    expect(hostPathProblem('/', safety, false)).toBe('it is the root of the file system');
    expect(hostPathProblem(join(tmp, 'home'), safety, false)).toBe('it is your home directory');
    expect(hostPathProblem(tmp, safety, false)).toMatch(/^it contains your home directory /);
    expect(hostPathProblem(userInfo().homedir, safety, false)).toBe('it is your home directory');
    expect(hostPathProblem(join(tmp, 'home', 'project'), safety, false)).toBeNull();
  });

  it('sees through a $HOME behind a symlink or written with a double slash', () => {
    symlinkSync(join(tmp, 'home'), join(tmp, 'link'));
    for (const HOME of [join(tmp, 'link'), `/${join(tmp, 'home')}`]) {
      expect(userHomes({ HOME })).toContain(join(tmp, 'home'));
    }
  });

  it("refuses what is, contains or lies inside one of ags's own directories, and says which", () => {
    const cases: [string, RegExp][] = [
      [join(tmp, 'home', '.config'), /^it contains the ags config directory .*\/home\/\.config\/ags$/],
      [join(tmp, 'home', '.config', 'ags'), /^it is the ags config directory$/],
      [join(tmp, 'etc'), /^it contains the config file in use .*\/etc\/ags\.toml$/],
      [
        join(tmp, 'data', 'homes', 'claude'),
        /^it is inside the ags data directory .*\/data \(agent homes and CLIs\)$/,
      ],
      [join(tmp, 'home', '.local', 'share'), /^it contains the ags data directory .*\.local\/share\/ags/],
      [join(tmp, 'home', '.local', 'state'), /^it contains the ags state directory .* \(trust store\)$/],
      [join(tmp, 'home', '.cache'), /^it contains the ags cache directory /],
      [
        join(tmp, 'run'),
        /^it contains the ags runtime directory .*\/run\/ags \(session files and secrets\)$/,
      ],
      [join(tmp, 'home', '.config', 'containers'), /^it is podman's config directory$/],
      [
        join(tmp, 'run', 'podman'),
        /^it is podman's runtime directory \(its API socket and registry logins\)$/,
      ],
      ['/run/user/1000', /^it contains podman's runtime directory \/run\/user\/1000\/containers/],
    ];
    for (const [path, why] of cases) expect(hostPathProblem(path, safety, false)).toMatch(why);
  });

  it("sees ags's directories through a symlink (a config dir kept in a dotfiles repository)", () => {
    mkdirSync(join(tmp, 'dotfiles', 'ags'), { recursive: true });
    mkdirSync(join(tmp, 'home', '.config'));
    symlinkSync(join(tmp, 'dotfiles', 'ags'), join(tmp, 'home', '.config', 'ags'));
    const s = {
      ...safety,
      agsPaths: agsOwnPaths({ env, uid: 1000, configFile: null, dataDir: '/x', cacheDir: '/y' }),
    };
    expect(hostPathProblem(join(tmp, 'dotfiles'), s, false)).toMatch(
      /^it contains the ags config directory .*\/dotfiles\/ags$/,
    );
  });

  it("refuses a directory mounted at its own path over ags's control paths, only then", () => {
    expect(hostPathProblem('/opt', safety, true)).toMatch(
      /same path inside the sandbox, which contains \/opt\/ags/,
    );
    expect(hostPathProblem('/run/ags/x', safety, true)).toMatch(/which is inside \/run\/ags/);
    expect(hostPathProblem('/etc', safety, true)).toMatch(/contains \/etc\/claude-code/);
    expect(hostPathProblem('/opt', safety, false)).toBeNull();
    expect(hostPathProblem('/srv/project', safety, true)).toBeNull();
  });

  it('refuses /proc, /sys, /dev and anything inside them, and /run itself', () => {
    expect(hostPathProblem('/proc', safety, false)).toMatch(
      /^it is \/proc, which exposes the user's other processes/,
    );
    expect(hostPathProblem('/proc/1/root', safety, false)).toMatch(/^it is inside \/proc, /);
    expect(hostPathProblem('/sys/fs/cgroup', safety, false)).toMatch(/^it is inside \/sys, /);
    expect(hostPathProblem('/dev', safety, false)).toMatch(/^it is \/dev, the devices/);
    expect(hostPathProblem('/dev/shm/x', safety, false)).toMatch(/^it is inside \/dev, /);
    expect(hostPathProblem('/run', safety, false)).toMatch(/^it is \/run, which holds every user's/);
    expect(hostPathProblem('/procfoo', safety, false)).toBeNull();
  });

  it("refuses podman's storage run root: the /tmp fallback and what storage.conf sets", () => {
    expect(hostPathProblem('/tmp/containers-user-1000/containers', safety, false)).toMatch(
      /^it is inside podman's runtime directory \/tmp\/containers-user-1000 /,
    );
    expect(hostPathProblem('/tmp/containers-user-1000', safety, false)).toMatch(/^it is podman's runtime/);
    mkdirSync(join(tmp, 'home', '.config', 'containers'), { recursive: true });
    writeFileSync(
      join(tmp, 'home', '.config', 'containers', 'storage.conf'),
      `[storage]\ndriver = "overlay"\n  runroot = "${tmp}/rr"\ngraphroot = '${tmp}/gr'\n`,
    );
    const s = {
      ...safety,
      agsPaths: agsOwnPaths({ env, uid: 1000, configFile: null, dataDir: '/x', cacheDir: '/y' }),
    };
    expect(hostPathProblem(join(tmp, 'rr', 'overlay-containers'), s, false)).toMatch(
      /^it is inside podman's storage run root .*\/rr \(its containers' run-time state\)$/,
    );
    expect(hostPathProblem(join(tmp, 'gr'), s, false)).toBe("it is podman's storage");
  });

  it('refuses a name with a control character', () => {
    expect(hostPathProblem('/srv/a\nb', safety, false)).toBe('its name contains a control character');
  });
});
