import { describe, expect, it } from 'vitest';
import { loadCorpus, mismatch, runInProcess } from '../../support/guard-corpus.js';

describe('guard corpus, in-process', () => {
  const cases = loadCorpus();

  it('has at least 400 cases of every kind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(400);
    expect(cases.filter((c) => c.expect === 'block').length).toBeGreaterThan(150);
    expect(cases.filter((c) => c.expect === 'allow').length).toBeGreaterThan(150);
    expect(cases.filter((c) => c.lockdown).length).toBeGreaterThan(5);
  });

  it('every case gets the expected verdict and rule', () => {
    const failures: string[] = [];
    for (const c of cases) {
      const r = runInProcess(c);
      const m = mismatch(c, r.verdict.decision, r.verdict.rule);
      if (m) failures.push(`${m}: ${JSON.stringify(c.input).slice(0, 200)} (${c.note})`);
      expect(r.exitCode).toBe(r.verdict.decision === 'block' ? 2 : 0);
    }
    expect(failures).toEqual([]);
  });

  it('every block names its rule and a reason on one line', () => {
    for (const c of cases.filter((x) => x.expect === 'block')) {
      const r = runInProcess(c);
      expect(r.stderr).toMatch(/blocked by ags guard \([a-z0-9.-]+\): .+/);
    }
  });
});
