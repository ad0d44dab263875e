import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportGuardLoaded } from '../../../guards/load-marker.js';
import {
  GuardLoadWatch,
  guardLoadAction,
  guardLoadMessage,
  markerHolds,
} from '../../../src/session/guard-load.js';

describe('guardLoadAction', () => {
  it('a guard that loaded is fine either way', () => {
    expect(guardLoadAction(true, false)).toBe('ok');
    expect(guardLoadAction(true, true)).toBe('ok');
  });
  it('a guard that did not load: warn normally, refuse the run when fail-closed', () => {
    expect(guardLoadAction(false, false)).toBe('warn');
    expect(guardLoadAction(false, true)).toBe('refuse');
  });
  it('says which agent, and what follows', () => {
    expect(guardLoadMessage('pi', 'warn', 30_000)).toBe(
      'the ags guard did not load in pi (no load marker after 30 s): its tool calls are NOT vetoed in this run',
    );
    expect(guardLoadMessage('opencode', 'refuse', 30_000)).toMatch(
      /^the ags guard did not load in opencode .*stopped/,
    );
  });
});

describe('the load marker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-guard-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the guard writes the token, and drops both variables from its environment', () => {
    const file = join(dir, 'loaded');
    const env: NodeJS.ProcessEnv = { AGS_GUARD_LOAD_TOKEN: 'tok3n', AGS_GUARD_LOAD_MARKER: file, KEEP: '1' };
    reportGuardLoaded(env);
    expect(readFileSync(file, 'utf8')).toBe('tok3n\n');
    expect(env).toEqual({ KEEP: '1' });
    expect(markerHolds(file, 'tok3n')).toBe(true);
  });

  it('the guard never writes through a planted symlink or over a planted file', () => {
    const target = join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    symlinkSync(target, join(dir, 'loaded'));
    reportGuardLoaded({ AGS_GUARD_LOAD_TOKEN: 'tok3n', AGS_GUARD_LOAD_MARKER: join(dir, 'loaded') });
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('without the variables (guard off, or an agent run by hand) it writes nothing', () => {
    reportGuardLoaded({});
    reportGuardLoaded({ AGS_GUARD_LOAD_MARKER: join(dir, 'loaded') });
    expect(markerHolds(join(dir, 'loaded'), '')).toBe(false);
  });

  it('counts only a regular file holding exactly the token', () => {
    const file = join(dir, 'loaded');
    expect(markerHolds(file, 'tok3n')).toBe(false); // missing
    writeFileSync(file, 'an old run\n');
    expect(markerHolds(file, 'tok3n')).toBe(false); // another token: planted by an earlier run
    writeFileSync(file, `tok3n${' '.repeat(300)}`);
    expect(markerHolds(file, 'tok3n')).toBe(false); // too big to be the guard's
    rmSync(file);
    writeFileSync(join(dir, 'real'), 'tok3n\n');
    symlinkSync(join(dir, 'real'), file);
    expect(markerHolds(file, 'tok3n')).toBe(false); // a link
    rmSync(file);
    execFileSync('mkfifo', [file]);
    expect(markerHolds(file, 'tok3n')).toBe(false); // a FIFO does not hang the run
    rmSync(file);
    mkdirSync(file);
    expect(markerHolds(file, 'tok3n')).toBe(false);
  });
});

describe('GuardLoadWatch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ags-guard-watch-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a marker that never comes, once', async () => {
    let calls = 0;
    let watch: GuardLoadWatch | undefined;
    await new Promise<void>((resolve) => {
      watch = new GuardLoadWatch(
        join(dir, 'loaded'),
        'tok3n',
        () => {
          calls++;
          resolve();
        },
        200,
      );
      watch.start();
    });
    expect(watch!.reportedMissing).toBe(true);
    expect(watch!.finish()).toBe(false);
    expect(calls).toBe(1);
  });

  it('sees the marker the guard wrote, and then reports nothing', async () => {
    let missing = 0;
    let loaded = 0;
    const watch = new GuardLoadWatch(
      join(dir, 'loaded'),
      'tok3n',
      () => missing++,
      200,
      () => loaded++,
    );
    watch.start();
    reportGuardLoaded({ AGS_GUARD_LOAD_TOKEN: 'tok3n', AGS_GUARD_LOAD_MARKER: join(dir, 'loaded') });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(watch.finish()).toBe(true);
    expect(watch.reportedMissing).toBe(false);
    expect([missing, loaded]).toEqual([0, 1]);
  });
});
