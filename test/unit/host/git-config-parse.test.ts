import { describe, expect, it } from 'vitest';
import { isExecutableKey, parseGitConfig } from '../../../src/host/git-config-parse.js';

describe('reading git config files without git', () => {
  it('names keys as git does: section and variable lowercased, a quoted subsection kept', () => {
    const text = [
      '[Core]',
      '\tFSMonitor = touch /tmp/x',
      '[diff "Foo.Bar"]',
      '  textconv = "sh -c \\"cat\\"" ; a comment',
      '[Alias]',
      '  st = !sh evil.sh # another',
      '  co = checkout',
      '[section.Sub]',
      '  flag',
      '[remote "origin"]',
      '  url = /x',
    ].join('\n');
    expect(parseGitConfig(text)).toEqual([
      { key: 'core.fsmonitor', value: 'touch /tmp/x' },
      { key: 'diff.Foo.Bar.textconv', value: 'sh -c "cat"' },
      { key: 'alias.st', value: '!sh evil.sh' },
      { key: 'alias.co', value: 'checkout' },
      { key: 'section.sub.flag', value: null },
      { key: 'remote.origin.url', value: '/x' },
    ]);
  });

  it('follows continued lines, escapes and quotes; a comment sign inside quotes is text', () => {
    const text = '[core]\n\tpager = less \\\n  -R\n\teditor = "vim ;#" \\t x\n\tsshCommand = a\\\\b\n';
    expect(parseGitConfig(text)).toEqual([
      { key: 'core.pager', value: 'less   -R' },
      { key: 'core.editor', value: 'vim ;# \t x' },
      { key: 'core.sshcommand', value: 'a\\b' },
    ]);
  });

  it('skips what git would reject instead of misfiling it under another section', () => {
    const text = '[bad section]\n\tfsmonitor = x\n[core]\n\tok = 1\n= nokey\n\tjunk here\n';
    expect(parseGitConfig(text)).toEqual([{ key: 'core.ok', value: '1' }]);
  });

  it('tells the keys that make git run a program', () => {
    const yes: [string, string | null][] = [
      ['core.fsmonitor', 'x'],
      ['core.hookspath', '/h'],
      ['core.sshcommand', 'ssh'],
      ['core.pager', 'less'],
      ['core.editor', 'vi'],
      ['core.askpass', 'x'],
      ['alias.st', '!sh'],
      ['alias.st', '  !sh'],
      ['filter.lfs.smudge', 'x'],
      ['filter.x.process', 'x'],
      ['diff.foo.textconv', 'x'],
      ['diff.foo.command', 'x'],
      ['diff.external', 'x'],
      ['merge.foo.driver', 'x'],
      ['credential.helper', 'x'],
      ['credential.https://e.com.helper', 'x'],
      ['gpg.program', 'x'],
      ['gpg.ssh.program', 'x'],
      ['sequence.editor', 'x'],
      ['uploadpack.packobjectshook', 'x'],
      ['include.path', 'x'],
      ['includeif.gitdir:/x/.path', 'x'],
      ['pager.log', 'x'],
      ['remote.origin.uploadpack', 'x'],
      ['submodule.s.update', '!sh'],
      ['hook.lint.command', 'x'],
      ['protocol.ext.allow', 'always'],
      ['extensions.worktreeconfig', 'true'],
      ['core.worktree', '/x'],
    ];
    const no: [string, string | null][] = [
      ['alias.co', 'checkout'],
      ['submodule.s.update', 'rebase'],
      ['remote.origin.url', 'x'],
      ['user.name', 'x'],
      ['diff.foo.binary', 'true'],
      ['core.autocrlf', 'true'],
    ];
    for (const [k, v] of yes) expect(isExecutableKey(k, v), k).toBe(true);
    for (const [k, v] of no) expect(isExecutableKey(k, v), k).toBe(false);
  });
});
