import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formerWorkspaceAbove,
  readWorkspaces,
  rememberWorkspace,
  workspaceMemoryPath,
} from '../../../src/host/workspace-memory.js';

let tmp: string;
let file: string;

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'ags-wsmem-')));
  file = workspaceMemoryPath({ HOME: tmp, XDG_STATE_HOME: join(tmp, 'state') });
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('the workspaces ags remembers', () => {
  it('lives in the state dir, 0600, newest first, written only when the workspace is not first already', () => {
    expect(file).toBe(join(tmp, 'state', 'ags', 'workspaces'));
    expect(readWorkspaces(file)).toEqual([]);
    rememberWorkspace(file, '/p/a', []);
    rememberWorkspace(file, '/p/b', readWorkspaces(file));
    rememberWorkspace(file, '/p/a', readWorkspaces(file));
    expect(readWorkspaces(file)).toEqual(['/p/a', '/p/b']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ino = statSync(file).ino; // every write replaces the file (a new inode)
    rememberWorkspace(file, '/p/a', readWorkspaces(file));
    expect(statSync(file).ino).toBe(ino);
    rememberWorkspace(file, '/p/b', readWorkspaces(file));
    expect(statSync(file).ino).not.toBe(ino);
  });

  it('keeps at most 256 entries, ignoring lines that are not absolute paths', () => {
    const many = Array.from({ length: 300 }, (_, i) => `/p/${i}`);
    rememberWorkspace(file, '/new', many);
    const got = readWorkspaces(file);
    expect(got).toHaveLength(256);
    expect(got[0]).toBe('/new');
    writeFileSync(file, 'junk\n/p/a\n\n');
    expect(readWorkspaces(file)).toEqual(['/p/a']);
  });

  it('finds a former workspace the new one walks past, only when the run starts inside it', () => {
    const remembered = ['/home/u/projects/app', '/srv/other'];
    expect(formerWorkspaceAbove('/home/u/projects', '/home/u/projects/app/src', remembered)).toBe(
      '/home/u/projects/app',
    );
    expect(formerWorkspaceAbove('/home/u/projects', '/home/u/projects/app', remembered)).toBe(
      '/home/u/projects/app',
    );
    expect(formerWorkspaceAbove('/home/u/projects', '/home/u/projects/lib', remembered)).toBeNull();
    expect(formerWorkspaceAbove('/home/u/projects/app', '/home/u/projects/app', remembered)).toBeNull();
    expect(
      formerWorkspaceAbove('/home/u/projects/app/src', '/home/u/projects/app/src', remembered),
    ).toBeNull();
  });
});
