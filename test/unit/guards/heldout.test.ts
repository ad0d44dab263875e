import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runInProcess, type CorpusCase } from '../../support/guard-corpus.js';

// The held-out evasion corpus is measured (`node bench/guard-corpus.mjs`), not tuned against: this test checks its
// shape and that every case gets a well-formed verdict, not which way each one goes.
describe('guard held-out corpus', () => {
  const cases = readFileSync(new URL('../../fixtures/guard-heldout.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CorpusCase & { class: string });

  it('has at least 150 destructive and 100 benign cases across the evasion classes', () => {
    expect(cases.filter((c) => c.expect === 'block').length).toBeGreaterThanOrEqual(150);
    expect(cases.filter((c) => c.expect === 'allow').length).toBeGreaterThanOrEqual(100);
    const classes = new Set(cases.map((c) => c.class.replace(/-2$/, '')));
    expect([...classes].sort()).toEqual(
      ['database', 'exfil', 'misc', 'substitution', 'variable', 'wrapper', 'write'].sort(),
    );
  });

  it('every case gets a verdict: allow, or a block that names its rule and reason', () => {
    for (const c of cases) {
      const r = runInProcess(c);
      expect(r.exitCode).toBe(r.verdict.decision === 'block' ? 2 : 0);
      if (r.verdict.decision === 'block')
        expect(r.stderr).toMatch(/blocked by ags guard \([a-z0-9.-]+\): .+/);
    }
  });
});
