import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  envrcPathDirs,
  pathDirChanges,
  pathDirReport,
  watchPathDirs,
} from '../../../src/host/path-add-watch.js';

const dirs = (text: string) => envrcPathDirs(text).map((r) => `${r.variable}:${r.dir}`);

describe('the directories an .envrc puts on a search path', () => {
  it('PATH_add and path_add, quoted or not; $PWD and expand_path made relative; no other expansions, no comments', () => {
    expect(
      dirs(
        'PATH_add bin\nPATH_add "node_modules/.bin" scripts\npath_add PATH tools/bin\n# PATH_add no\nPATH_add $HOME/x\nPATH_add "$PWD/local/bin"\nPATH_add "$(expand_path ../up/bin)"\nexport X=1\n',
      ),
    ).toEqual([
      'PATH:bin',
      'PATH:node_modules/.bin',
      'PATH:scripts',
      'PATH:tools/bin',
      'PATH:./local/bin',
      'PATH:../up/bin',
    ]);
  });
  it('export PATH=... and PATH=... (an empty element is the current directory); other variables of path_add', () => {
    expect(
      dirs(
        'export PATH="$PWD/bin:$PATH"\nPATH=${PWD}/tools:$(pwd)/x:$PATH:\nexport PATH=./rel:$HOME/no\npath_add LD_LIBRARY_PATH lib\nMANPATH_add man\n',
      ),
    ).toEqual(['PATH:./bin', 'PATH:./tools', 'PATH:./x', 'PATH:.', 'PATH:./rel', 'LD_LIBRARY_PATH:lib']);
  });
  it('layout node, python, ruby, go, php and a virtualenv activate', () => {
    expect(
      dirs(
        'layout node\nlayout python3\nlayout ruby\nlayout go\nlayout php\nsource .venv/bin/activate\nlayout unknown\n',
      ),
    ).toEqual([
      'PATH:node_modules/.bin',
      'PATH:.direnv/python-*/bin',
      'PATH:.direnv/ruby/bin',
      'PATH:.direnv/ruby-*/bin',
      'PATH:.direnv/bin',
      'PATH:.direnv/go/bin',
      'PATH:bin',
      'PATH:vendor/bin',
      'PATH:.venv/bin',
    ]);
  });
  it('node_modules/.bin only where the .envrc adds it', () => {
    expect(dirs('PATH_add bin\n')).not.toContain('PATH:node_modules/.bin');
  });
});

describe('what appeared in those directories', () => {
  let root: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'ags-pathadd-')));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const exe = (rel: string, text = '#!/bin/sh\n') => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
    chmodSync(join(root, rel), 0o755);
  };

  it('new and changed executables, also in a layout directory made during the run; host command names first, never cut', () => {
    writeFileSync(join(root, '.envrc'), 'PATH_add bin\nlayout python\npath_add LD_LIBRARY_PATH lib\n');
    exe('bin/tool');
    writeFileSync(join(root, 'bin-notes'), 'x');
    const commands = new Set(['git', 'ls']);
    const watch = watchPathDirs([join(root, '.envrc')], root, commands);
    expect(pathDirChanges(watch)).toEqual([]);
    // a flood of other names ahead of `git` in sort order
    for (let i = 0; i < 300; i++) exe(`bin/a${String(i).padStart(3, '0')}`);
    exe('bin/git');
    exe('bin/tool', '#!/bin/sh\necho changed\n');
    writeFileSync(join(root, 'bin', 'data.txt'), 'not executable');
    exe('.direnv/python-3.12/bin/ls');
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, 'lib', 'libc.so.6'), '');
    const changes = pathDirChanges(watch);
    expect(changes.filter((c) => c.first).map((c) => c.line)).toEqual([
      expect.stringMatching(
        /\/bin\/git appeared in a directory \.envrc puts first on PATH: .*`git`, in place of your own$/,
      ),
      expect.stringMatching(/\/\.direnv\/python-3\.12\/bin\/ls appeared .*`ls`, in place of your own$/),
      expect.stringMatching(/\/lib\/libc\.so\.6 appeared .* load it through LD_LIBRARY_PATH$/),
    ]);
    expect(changes.map((c) => c.line)).toContainEqual(expect.stringMatching(/\/bin\/tool changed/));
    expect(changes.map((c) => c.line)).toContainEqual(
      expect.stringMatching(/\/lib\/libc\.so\.6 appeared .* load it through LD_LIBRARY_PATH$/),
    );
    expect(changes.map((c) => c.line).join('\n')).not.toContain('data.txt');
    const report = pathDirReport(changes).split('\n');
    // the shadowing names lead, the rest is cut with a count
    expect(report[1]).toMatch(/\/bin\/git appeared/);
    expect(report[2]).toMatch(/python-3\.12\/bin\/ls appeared/);
    expect(report).toContainEqual(`ags:   ... and ${changes.length - 23} more`);
  });

  it('a directory outside the root is not watched', () => {
    writeFileSync(join(root, '.envrc'), 'PATH_add /usr/bin ../elsewhere\n');
    expect(watchPathDirs([join(root, '.envrc')], root, new Set()).refs).toEqual([]);
  });
});
