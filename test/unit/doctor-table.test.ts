import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHECKS,
  type Check,
  type DoctorState,
  renderJson,
  renderText,
  runChecks,
} from '../../src/cli/commands/doctor-checks.js';
import { doctorState } from '../../src/cli/commands/doctor-state.js';

const empty: DoctorState = { mountProblems: [], mountsToCreate: 0 };

describe('the doctor loop', () => {
  const check = (id: string, status: 'ok' | 'warn' | 'fail', needs: string[] = []): Check => ({
    id,
    title: id,
    needs,
    run: () => ({ status, detail: `${id} ${status}`, ...(status === 'ok' ? {} : { fix: `fix ${id}` }) }),
  });

  it('runs every check in table order and leaves out those whose needs failed or were left out', async () => {
    const results = await runChecks(empty, [
      check('a', 'ok'),
      check('b', 'fail', ['a']),
      check('c', 'ok', ['b']), // b failed
      check('d', 'ok', ['c']), // c was left out
      check('e', 'warn', ['a']), // a warning does not stop what needs it
      check('f', 'ok', ['e']),
    ]);
    expect(results.map((r) => `${r.id}:${r.status}`)).toEqual(['a:ok', 'b:fail', 'e:warn', 'f:ok']);
  });

  it('has unique ids, and every need names an earlier check', () => {
    const seen = new Set<string>();
    for (const c of CHECKS) {
      for (const n of c.needs) expect(seen.has(n), `${c.id} needs ${n}`).toBe(true);
      expect(seen.has(c.id)).toBe(false);
      seen.add(c.id);
    }
  });

  it('renders text lines with the fix under what is not ok, escaping control characters', () => {
    const text = renderText([
      { id: 'x', title: 'x', status: 'ok', detail: 'fine' },
      { id: 'y', title: 'y', status: 'fail', detail: 'bad\u001b[2Jpath', fix: 'do it' },
    ]);
    expect(text).toBe('OK   x: fine\nFAIL y: bad\\x1b[2Jpath\n     fix: do it\n');
  });

  it('renders JSON objects { id, status, detail, fix } with fix null when there is none', () => {
    const json = JSON.parse(
      renderJson([
        { id: 'x', title: 'X thing', status: 'ok', detail: 'fine' },
        { id: 'y', title: 'y', status: 'warn', detail: 'meh', fix: 'do it' },
      ]),
    ) as unknown;
    expect(json).toEqual([
      { id: 'x', status: 'ok', detail: 'fine', fix: null },
      { id: 'y', status: 'warn', detail: 'meh', fix: 'do it' },
    ]);
  });
});

describe("doctor's config state", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('turns a missing mount source into a finding and creates no create = true source', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-doctor-state-'));
    const config = join(dir, 'config.toml');
    const missing = join(dir, 'no-such-source');
    const toCreate = join(dir, 'made-by-a-run', 'cache');
    writeFileSync(
      config,
      `[[mount]]\nhost = "${missing}"\nmode = "ro"\n\n[[mount]]\nhost = "${toCreate}"\nmode = "rw"\ncreate = true\n`,
    );
    const state = await doctorState(config);
    expect(state.configError).toBeUndefined();
    expect(state.mountProblems.map((p) => p.message)).toEqual([
      `mount[0]: host path ${missing} does not exist`,
    ]);
    expect(state.mountsToCreate).toBe(1);
    expect(existsSync(toCreate)).toBe(false);
    expect(existsSync(join(dir, 'made-by-a-run'))).toBe(false);

    const [config_, mounts] = await runChecks(state, CHECKS.slice(0, 2));
    expect(config_).toMatchObject({ id: 'config', status: 'ok' });
    expect(mounts).toMatchObject({
      id: 'mounts',
      status: 'fail',
      detail: `mount[0]: host path ${missing} does not exist: a run refuses to start`,
    });
  });

  it('turns a config that does not load into a failed config check, not an exit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ags-doctor-state-'));
    const config = join(dir, 'config.toml');
    writeFileSync(config, '[sandbox]\nimage = \n');
    const state = await doctorState(config);
    expect(state.configError?.message).toMatch(/config\.toml:2/);
    const results = await runChecks(state, CHECKS.slice(0, 2));
    expect(results).toHaveLength(1); // mounts needs the config
    expect(results[0]).toMatchObject({ id: 'config', status: 'fail' });
  });
});
