import { describe, expect, it } from 'vitest';
import { decide, type DecideOptions } from '../../../guards/engine/decide.js';
import { BUILTIN_RULES, META_RULES } from '../../../guards/engine/rules/index.js';
import { parsePolicy } from '../../../guards/engine/policy.js';
import { _test as db } from '../../../guards/engine/rules/database.js';

const base: DecideOptions = { home: '/home/dev', workspace: '/work/ws', gitBranch: () => 'feature/x' };
const run = (command: string, opts: DecideOptions = {}) =>
  decide({ kind: 'shell', tool: 'Bash', command, cwd: '/work/ws' }, { ...base, ...opts });

describe('rule packs', () => {
  it('have unique ids, a pack prefix and one-line reasons', () => {
    const ids = BUILTIN_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of BUILTIN_RULES) {
      expect(r.id.startsWith(`${r.pack}.`)).toBe(true);
      expect(r.reason).not.toMatch(/\n/);
      expect(r.reason.length).toBeLessThan(160);
    }
    for (const id of Object.keys(META_RULES)) expect(ids).not.toContain(id);
  });

  it('git push --force looks at the current branch when no refspec is given', () => {
    expect(run('git push -f', { gitBranch: () => 'feature/x' }).decision).toBe('allow');
    expect(run('git push -f', { gitBranch: () => 'main' }).rule).toBe('git.push-force');
    expect(run('git push --force-with-lease', { gitBranch: () => null }).detail).toMatch(/cannot tell/);
    expect(run('git push -f origin HEAD', { gitBranch: () => 'master' }).rule).toBe('git.push-force');
  });

  it('SQL checks see statements, not words in data', () => {
    expect(db.deleteWithoutWhere('DELETE FROM users')).toBe(true);
    expect(db.deleteWithoutWhere('delete from users where id=1; select 1')).toBe(false);
    expect(db.DROP.test("select 'x' as drop_table")).toBe(false);
  });

  it('the block message names the rule and says what to do', () => {
    const v = run('git reset --hard');
    expect(v.message).toBe(
      'blocked by ags guard (git.reset-hard): discards uncommitted work; commit or stash first, or ask the user',
    );
  });
});

describe('policy', () => {
  it('allow by rule id or exact command, but other rules still fire', () => {
    const policy = parsePolicy({ allow: ['git.reset-hard', 'git push --force origin main'] });
    expect(run('git reset --hard', { policy }).decision).toBe('allow');
    expect(run('git push --force origin main', { policy }).decision).toBe('allow');
    expect(run('git reset --hard && rm -rf /', { policy }).rule).toBe('fs.rm-recursive-root');
  });

  it('extra rules add blocks over normalized commands', () => {
    const policy = parsePolicy({
      extraRules: [{ id: 'custom.no-deploy', pattern: '^make deploy', reason: 'deploys go through CI' }],
    });
    expect(run('sudo make deploy', { policy })).toMatchObject({
      decision: 'block',
      rule: 'custom.no-deploy',
    });
    expect(run('make test', { policy }).decision).toBe('allow');
    // an extra rule with a built-in id adds a matcher; it never replaces or disables the built-in one
    const shadow = parsePolicy({ extraRules: [{ id: 'fs.rm-recursive-root', pattern: '^$', reason: 'x' }] });
    expect(run('rm -rf /', { policy: shadow }).rule).toBe('fs.rm-recursive-root');
  });

  it('extra sensitive paths are checked for shell and file tools', () => {
    const policy = parsePolicy({ sensitivePaths: ['~/.config/acme/token'] });
    expect(run('cat ~/.config/acme/token', { policy }).rule).toBe('cred.sensitive-path');
    const v = decide(
      { kind: 'file', tool: 'Read', op: 'read', paths: ['/home/dev/.config/acme/token'], cwd: '/w' },
      { ...base, policy },
    );
    expect(v.rule).toBe('path.sensitive-read');
  });

  it('rejects malformed policies', () => {
    expect(() => parsePolicy({ allow: 'x' })).toThrow(/allow/);
    expect(() => parsePolicy({ extraRules: [{ id: 'x', pattern: '(', reason: 'r' }] })).toThrow(
      /regular expression/,
    );
    expect(() => parsePolicy({ bogus: 1 })).toThrow(/unknown policy key/);
  });

  it('lockdown from the policy cannot be switched off by options', () => {
    const policy = parsePolicy({ lockdown: true });
    expect(run('eval "$X"', { policy, lockdown: false }).rule).toBe('exec.dynamic-eval');
  });
});
