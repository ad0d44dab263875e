import { describe, expect, it } from 'vitest';
import { checkFile, parseSource } from '../../../src/config/load.js';

describe('a repo overlay may not weaken the protection of what the host runs later', () => {
  it.each([
    ['git_config = "writable"', 'sandbox.git_config', 'what git runs on the host'],
    ['writable_agent_config = true', 'sandbox.writable_agent_config', 'host agents and editors load'],
  ])('refuses %s (located), while the user config may set it', (line, key, why) => {
    const text = `[sandbox]\n${line}\n`;
    expect(() => checkFile(parseSource('/r/.ags/config.toml', text, 'overlay'), 'overlay')).toThrow(
      new RegExp(`config\\.toml:2:1: ${key.replace('.', '\\.')}: not allowed in a repo overlay: .*${why}`),
    );
    expect(() => checkFile(parseSource('/u/config.toml', text), 'user')).not.toThrow();
  });

  it('refuses a value outside the two the schema knows', () => {
    expect(() => checkFile(parseSource('/u/config.toml', '[sandbox]\ngit_config = "rw"\n'), 'user')).toThrow(
      /sandbox\.git_config/,
    );
  });
});
