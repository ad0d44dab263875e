import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError, UsageError } from '../../../src/errors.js';
import {
  assertRuntimeDirUnmounted,
  chooseRuntimeDir,
  ensureRuntimeDir,
  runtimeDirPath,
} from '../../../src/session/runtime-dir.js';

const uid = process.getuid!();
/** A uid with no /run/user/UID here, so the choice falls through to the tmp dir. */
const NO_SYSTEM_DIR_UID = 4242424;

describe('the runtime dir', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'ags-runtime-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is $XDG_RUNTIME_DIR/ags (its real path) when that is an absolute private dir of the user', () => {
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    symlinkSync(join(dir, 'run'), join(dir, 'link'));
    expect(chooseRuntimeDir({ XDG_RUNTIME_DIR: join(dir, 'run') }, uid)).toBe(join(dir, 'run', 'ags'));
    expect(chooseRuntimeDir({ XDG_RUNTIME_DIR: join(dir, 'link') }, uid)).toBe(join(dir, 'run', 'ags'));
  });

  it('refuses a relative XDG_RUNTIME_DIR as a usage error, in one line', () => {
    const err = (() => {
      try {
        chooseRuntimeDir({ XDG_RUNTIME_DIR: 'run' }, uid);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('XDG_RUNTIME_DIR=run is not an absolute path');
  });

  it('refuses a missing, foreign or shared XDG_RUNTIME_DIR as a runtime error', () => {
    expect(() => chooseRuntimeDir({ XDG_RUNTIME_DIR: join(dir, 'nope') }, uid)).toThrow(RuntimeError);
    expect(() => chooseRuntimeDir({ XDG_RUNTIME_DIR: join(dir, 'nope') }, uid)).toThrow(
      `XDG_RUNTIME_DIR=${join(dir, 'nope')} does not exist`,
    );
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    expect(() => chooseRuntimeDir({ XDG_RUNTIME_DIR: join(dir, 'run') }, uid + 1)).toThrow(
      `belongs to uid ${uid}, not to you (uid ${uid + 1})`,
    );
    chmodSync(join(dir, 'run'), 0o777);
    expect(() => chooseRuntimeDir({ XDG_RUNTIME_DIR: join(dir, 'run') }, uid)).toThrow(
      'is writable by others (mode 777)',
    );
  });

  it('falls back to $TMPDIR/ags-UID when neither XDG_RUNTIME_DIR nor /run/user/UID is there', () => {
    expect(chooseRuntimeDir({ TMPDIR: dir }, NO_SYSTEM_DIR_UID)).toBe(join(dir, `ags-${NO_SYSTEM_DIR_UID}`));
    expect(chooseRuntimeDir({ TMPDIR: 'relative' }, NO_SYSTEM_DIR_UID)).toBe(
      join(realpathSync('/tmp'), `ags-${NO_SYSTEM_DIR_UID}`),
    );
  });

  it('has a path for the mount checks even before it exists; a relative XDG_RUNTIME_DIR has none', () => {
    expect(runtimeDirPath({ XDG_RUNTIME_DIR: join(dir, 'nope') }, uid)).toBe(join(dir, 'nope', 'ags'));
    expect(runtimeDirPath({ TMPDIR: dir }, NO_SYSTEM_DIR_UID)).toBe(join(dir, `ags-${NO_SYSTEM_DIR_UID}`));
    expect(() => runtimeDirPath({ XDG_RUNTIME_DIR: 'run' }, uid)).toThrow(UsageError);
  });

  it('is created 0700, and refused when it is a symlink or open to others', () => {
    const rt = join(dir, 'ags');
    expect(ensureRuntimeDir(rt, uid)).toBe(rt);
    expect(statSync(rt).mode & 0o777).toBe(0o700);
    chmodSync(rt, 0o755);
    expect(() => ensureRuntimeDir(rt, uid)).toThrow('is not a private directory of this user');
    mkdirSync(join(dir, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'ags-link'));
    expect(() => ensureRuntimeDir(join(dir, 'ags-link'), uid)).toThrow('(a symlink)');
    expect(() => ensureRuntimeDir(join(dir, 'missing', 'ags'), uid)).toThrow(
      `cannot create the runtime directory ${join(dir, 'missing', 'ags')}: ENOENT`,
    );
  });

  it('is never inside a mounted path, and nothing is mounted from inside it but the own session', () => {
    const rt = join(dir, 'tmp', 'ags-1000');
    const session = join(rt, 'session-7');
    const mounts = (source: string) => [
      { source: join(session, 'public'), why: 'session files' },
      { source, why: 'workdir' },
    ];
    expect(() => assertRuntimeDirUnmounted(rt, session, mounts(join(dir, 'repo')))).not.toThrow();
    const inWorkspace = (() => {
      try {
        assertRuntimeDirUnmounted(rt, session, mounts(join(dir, 'tmp')));
      } catch (e) {
        return e;
      }
    })();
    expect(inWorkspace).toBeInstanceOf(UsageError);
    expect((inWorkspace as Error).message).toBe(
      `refusing to mount ${join(dir, 'tmp')} (workdir): it contains ags's runtime directory ${rt}, where every run keeps its secrets`,
    );
    expect(() => assertRuntimeDirUnmounted(rt, session, mounts(join(rt, 'session-8')))).toThrow(
      `it is inside ags's runtime directory ${rt}`,
    );
  });
});
