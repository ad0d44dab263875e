import { readFileSync } from 'node:fs';
import { claudeHook } from '../../guards/engine/hook.js';
import { DEFAULT_POLICY } from '../../guards/engine/policy.js';

export interface CorpusCase {
  input: unknown;
  expect: 'allow' | 'block';
  rule?: string;
  lockdown?: boolean;
  note: string;
}

export const CORPUS_PATH = new URL('../fixtures/guard-corpus.jsonl', import.meta.url);
/** The environment every corpus runner uses: a fixed home and workspace that need not exist. */
export const CORPUS_ENV = { HOME: '/home/dev', AGS_WORKSPACE: '/work/ws' };

export function loadCorpus(): CorpusCase[] {
  return readFileSync(CORPUS_PATH, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusCase);
}

/** The hook's stdin text for a case (a string input is sent as is, to test invalid JSON). */
export function stdinOf(c: CorpusCase): string {
  return typeof c.input === 'string' ? c.input : JSON.stringify(c.input);
}

/** Runs one case in-process through the same core as the hook bundle and the CLI. */
export function runInProcess(c: CorpusCase) {
  return claudeHook(
    stdinOf(c),
    { lockdown: c.lockdown === true, env: CORPUS_ENV },
    { policy: DEFAULT_POLICY, lockdown: c.lockdown === true },
  );
}

/** A mismatch description, or null when the verdict matches the case. */
export function mismatch(c: CorpusCase, decision: string, rule: string | undefined): string | null {
  if (decision !== c.expect)
    return `expected ${c.expect}${c.rule ? ` (${c.rule})` : ''}, got ${decision}${rule ? ` (${rule})` : ''}`;
  if (c.expect === 'block' && c.rule && rule !== c.rule) return `expected rule ${c.rule}, got ${rule}`;
  return null;
}
