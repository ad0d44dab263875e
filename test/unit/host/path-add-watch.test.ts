import { describe, expect, it } from 'vitest';
import { envrcPathDirs } from '../../../src/host/path-add-watch.js';

describe('the directories an .envrc puts on PATH', () => {
  it('PATH_add and path_add PATH, quoted or not; no expansions, no comments', () => {
    expect(
      envrcPathDirs(
        'PATH_add bin\nPATH_add "node_modules/.bin" scripts\npath_add PATH tools/bin\n# PATH_add no\nPATH_add $HOME/x\nexport X=1\n',
      ),
    ).toEqual(['bin', 'node_modules/.bin', 'scripts', 'tools/bin']);
  });
});
