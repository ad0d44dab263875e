import { describe, expect, it } from 'vitest';
import { checkFile, parseSource } from '../../../src/config/load.js';

const check = (role: 'user' | 'overlay', toml: string) => () =>
  checkFile(parseSource(role === 'user' ? '/u/config.toml' : '/r/.ags/config.toml', toml), role);

describe('[agents.<name>.env]', () => {
  it('may not name an AGS_* variable in any layer: one located config error', () => {
    for (const role of ['user', 'overlay'] as const) {
      const run = check(role, '[agents.claude.env]\nFOO = "1"\nAGS_GUARD_POLICY = "/r/p.json"\n');
      expect(run).toThrow(/config\.toml:3:1: agents\.claude\.env\.AGS_GUARD_POLICY: .*AGS_\* variables/);
    }
    expect(check('user', '[agents.codex.env]\nAGS_GUARD_YOLO = "1"\n')).toThrow(/AGS_GUARD_YOLO/);
  });

  it('in the user config may set PATH, HOME, NODE_OPTIONS and the like', () => {
    expect(
      check(
        'user',
        '[agents.claude.env]\nPATH = "/x"\nHOME = "/h"\nNODE_OPTIONS = "--max-old-space-size=4096"\n',
      ),
    ).not.toThrow();
  });

  it('in a repo overlay may not set what changes how programs load or run', () => {
    const refused = [
      'NODE_OPTIONS',
      'NODE_PATH',
      'NODE_EXTRA_CA_CERTS',
      'LD_PRELOAD',
      'LD_LIBRARY_PATH',
      'PATH',
      'HOME',
      'SHELL',
      'BASH_ENV',
      'ENV',
      'GIT_CONFIG_GLOBAL',
      'GIT_SSH_COMMAND',
      'PYTHONPATH',
      'PYTHONSTARTUP',
      'PERL5LIB',
      'PERL5OPT',
      'RUBYOPT',
      'BROWSER',
      'EDITOR',
      'VISUAL',
      'OPENCODE_CONFIG_CONTENT',
      'CLAUDE_CONFIG_DIR',
      'XDG_CONFIG_HOME',
      'HTTPS_PROXY',
      'https_proxy',
      'DISABLE_AUTOUPDATER',
    ];
    for (const name of refused) {
      expect(check('overlay', `[agents.gemini.env]\nRUST_LOG = "debug"\n${name} = "x"\n`), name).toThrow(
        new RegExp(`config\\.toml:3:1: agents\\.gemini\\.env\\.${name}: not allowed in a repo overlay`),
      );
    }
  });

  it('in a repo overlay may still set ordinary variables', () => {
    expect(check('overlay', '[agents.pi.env]\nRUST_LOG = "debug"\nDATABASE_URL = "x"\n')).not.toThrow();
  });
});
