// Runs the guard corpus through the BUILT artefacts: the batch CLI (`node bin/ags.js guard check --batch`) and the
// in-sandbox bundle (`node dist/sandbox/claude-hook.cjs`, one process per case), so what ships is what is tested.
// Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/host.js';
import { CORPUS_ENV, loadCorpus, mismatch, stdinOf, type CorpusCase } from '../support/guard-corpus.js';

const CLI = join(REPO_ROOT, 'bin/ags.js');
const HOOK = join(REPO_ROOT, 'dist/sandbox/claude-hook.cjs');
const env = { ...process.env, ...CORPUS_ENV, AGS_GUARD_POLICY: '', AGS_LOCKDOWN: '' };

describe('guard corpus through the built CLI and hook bundle', () => {
  let cases: CorpusCase[];
  beforeAll(() => {
    if (!existsSync(HOOK) || !existsSync(join(REPO_ROOT, 'dist/ags.mjs'))) {
      throw new Error('dist/ is missing or stale: run `npm run build` first');
    }
    cases = loadCorpus();
  });

  it('ags guard check --batch answers every case as expected, one JSON verdict per line', () => {
    const failures: string[] = [];
    for (const lockdown of [false, true]) {
      const group = cases.filter((c) => (c.lockdown === true) === lockdown);
      // invalid-JSON cases are lines that are not JSON: keep them on one line
      const input = group.map((c) => stdinOf(c).replace(/\n/g, ' ')).join('\n') + '\n';
      const r = spawnSync(
        process.execPath,
        [CLI, 'guard', 'check', '--batch', ...(lockdown ? ['--lockdown'] : [])],
        {
          input,
          env,
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(group.length);
      lines.forEach((line, i) => {
        const v = JSON.parse(line) as { decision: string; rule?: string; exitCode: number };
        const c = group[i]!;
        const m = mismatch(c, v.decision, v.rule);
        if (m) failures.push(`${m}: ${stdinOf(c).slice(0, 160)}`);
        expect(v.exitCode).toBe(v.decision === 'block' ? 2 : 0);
      });
    }
    expect(failures).toEqual([]);
  });

  it('ags guard check answers like the hook bundle, byte for byte', () => {
    const sample = cases.filter((_, i) => i % 20 === 0);
    for (const c of sample) {
      const args = c.lockdown ? ['--lockdown'] : [];
      const cli = spawnSync(process.execPath, [CLI, 'guard', 'check', ...args], {
        input: stdinOf(c),
        env,
        encoding: 'utf8',
      });
      const hook = spawnSync(process.execPath, [HOOK], {
        input: stdinOf(c),
        env: { ...env, AGS_LOCKDOWN: c.lockdown ? '1' : '' },
        encoding: 'utf8',
      });
      expect({ status: cli.status, stderr: cli.stderr }).toEqual({
        status: hook.status,
        stderr: hook.stderr,
      });
    }
  });

  it('the hook bundle (one process per case) agrees with the corpus on a representative sample', () => {
    // every rule id at least once, plus every 7th case
    const seen = new Set<string>();
    const sample = cases.filter((c, i) => {
      const key = `${c.expect}:${c.rule ?? ''}:${c.lockdown ?? false}`;
      if (!seen.has(key) || i % 7 === 0) {
        seen.add(key);
        return true;
      }
      return false;
    });
    expect(sample.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const c of sample) {
      const r = spawnSync(process.execPath, [HOOK], {
        input: stdinOf(c),
        env: { ...env, AGS_LOCKDOWN: c.lockdown ? '1' : '' },
        encoding: 'utf8',
      });
      const decision = r.status === 2 ? 'block' : r.status === 0 ? 'allow' : `exit ${r.status}`;
      const rule = /^blocked by ags guard \(([^)]+)\)/m.exec(r.stderr)?.[1];
      const m = mismatch(c, decision, rule);
      if (m) failures.push(`${m}: ${stdinOf(c).slice(0, 160)} ${r.stderr.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it('the hook bundle returns within budget on adversarial input and blocks what it cannot read, in every mode', () => {
    const input = JSON.stringify({
      hook_event_name: 'PreToolUse',
      cwd: '/w',
      tool_name: 'Bash',
      tool_input: { command: 'echo ' + '$('.repeat(50_000) },
    });
    const t0 = Date.now();
    const open = spawnSync(process.execPath, [HOOK], { input, env, encoding: 'utf8' });
    const closed = spawnSync(process.execPath, [HOOK], {
      input,
      env: { ...env, AGS_LOCKDOWN: '1' },
      encoding: 'utf8',
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/guard\.limit/);
    expect(closed.status).toBe(2);
    expect(closed.stderr).toMatch(/guard\.limit.*nesting deeper/);
  });

  it('reads hook input larger than a pipe buffer in full (a 300 KB tool call is still checked)', () => {
    const bigWrite = JSON.stringify({
      session_id: 's',
      cwd: '/work/ws',
      hook_event_name: 'PreToolUse',
      tool_name: 'Write',
      tool_input: { file_path: `${CORPUS_ENV.HOME}/.ssh/authorized_keys`, content: 'x'.repeat(300_000) },
    });
    const bigBash = JSON.stringify({
      session_id: 's',
      cwd: '/work/ws',
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: `cat ~/.ssh/id_rsa # ${'x'.repeat(300_000)}` },
    });
    const codexHook = join(REPO_ROOT, 'dist/sandbox/codex-hook.cjs');
    const runs: Array<[string[], string]> = [
      [[HOOK], bigWrite],
      [[HOOK], bigBash],
      [[codexHook], bigBash],
      [[CLI, 'guard', 'check'], bigWrite],
    ];
    for (const [argv, input] of runs) {
      // spawnSync feeds stdin through a pipe, which the reader drains while the writer is still writing
      const r = spawnSync(process.execPath, argv, { input, env, encoding: 'utf8' });
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/blocked by ags guard \((path|cred)\./);
    }
  });

  it('ags guard explain shows the normalized commands and the rule', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'guard', 'explain', '--', `sudo bash -c 'echo / | xargs rm -rf'`],
      { env, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rm "-rf" "\/".*via sudo › bash -c › xargs/);
    expect(r.stdout).toMatch(/verdict: block \(fs\.rm-recursive-root\)/);
  });
});
