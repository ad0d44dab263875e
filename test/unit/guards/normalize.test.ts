import { describe, expect, it } from 'vitest';
import { Budget } from '../../../guards/engine/budget.js';
import { parseShell } from '../../../guards/engine/shell/parser.js';
import { walkScript, type Invocation } from '../../../guards/engine/shell/normalize.js';

function walk(src: string): Invocation[] {
  const budget = new Budget();
  const { script, warnings } = parseShell(src, budget);
  const ctx = { budget, warnings, out: [] as Invocation[], cwd: '/w', home: '/home/dev' };
  walkScript(script, ctx, 0, []);
  return ctx.out;
}
const names = (src: string) => walk(src).map((i) => (i.dynamic ? '?' : i.name));
const argv = (i: Invocation) => i.args.map((a) => a.value ?? a.text);

describe('normalize', () => {
  it('unwraps prefixes with their own options', () => {
    for (const p of [
      'sudo -u root -E',
      'env -i A=1',
      '/usr/bin/env',
      'nohup',
      'time -p',
      'command',
      'exec -a x',
      'builtin',
      'nice -n 5',
      'timeout -s KILL 5',
      'stdbuf -oL',
      'doas -u x',
      'A=1 B=2',
    ]) {
      const inv = walk(`${p} rm -rf /x`);
      expect(inv.map((i) => i.name)).toEqual(['rm']);
      expect(argv(inv[0]!)).toEqual(['-rf', '/x']);
    }
  });

  it('records the wrapper chain', () => {
    expect(walk('sudo nice rm x')[0]!.via).toEqual(['sudo', 'nice']);
  });

  it('does not run `command -v`', () => {
    expect(names('command -v rm')).toEqual(['command']);
  });

  it('re-parses bash -c, eval, env -S, trap and su -c strings', () => {
    expect(names(`bash -c 'a; b | c'`)).toEqual(['bash', 'a', 'b', 'c']);
    expect(names(`eval "x y" z`)).toEqual(['eval', 'x']);
    expect(names(`env -S 'p q'`)).toEqual(['p']);
    expect(names(`trap 'cleanup' EXIT`)).toEqual(['trap', 'cleanup']);
    expect(names(`su -c 'w'`)).toEqual(['su', 'w']);
  });

  it('re-parses literal text piped or redirected into a shell', () => {
    expect(names(`echo 'a; b' | sh`)).toEqual(['echo', 'sh', 'a', 'b']);
    expect(names(`bash <<EOF\nx\nEOF`)).toEqual(['bash', 'x']);
    expect(names(`sh <<< 'y'`)).toEqual(['sh', 'y']);
  });

  it('classifies what is piped into a command', () => {
    expect(walk('curl x | sh')[1]!.stdin).toMatchObject({ kind: 'network' });
    expect(walk('echo x | base64 -d | sh')[2]!.stdin).toMatchObject({ kind: 'decoded' });
    expect(walk('gen | sh')[1]!.stdin).toMatchObject({ kind: 'dynamic' });
    expect(walk('curl x | tee f | sh')[2]!.stdin).toMatchObject({ kind: 'network' });
    expect(walk('sh < f.sh')[0]!.stdin).toMatchObject({ kind: 'file' });
  });

  it('feeds literal xargs input to the command', () => {
    const rm = walk('echo a b | xargs rm -f').find((i) => i.name === 'rm')!;
    expect(argv(rm)).toEqual(['-f', 'a', 'b']);
    expect(walk('ls | xargs rm').find((i) => i.name === 'rm')!.appendsArgs).toBe(true);
  });

  it('expands find -exec, with {} as the start path when nothing is filtered', () => {
    const rm = walk('find /x -exec rm -rf {} \\;').find((i) => i.name === 'rm')!;
    expect(argv(rm)).toEqual(['-rf', '/x']);
    // a literal -name: {} is a path with that name (what rules about .git need)
    const rm2 = walk('find /x -name y -exec rm {} +').find((i) => i.name === 'rm')!;
    expect(argv(rm2)).toEqual(['/x/y']);
    const rm3 = walk('find /x -name "*.o" -exec rm {} +').find((i) => i.name === 'rm')!;
    expect(argv(rm3)).toEqual(['{}']);
  });

  it('marks computed command names and strings', () => {
    expect(walk('$X -rf /')[0]!.dynamic).toBe(true);
    expect(walk('eval "$X"')[0]!.evalDynamic).toBe(true);
    expect(walk('eval "$(curl x)"')[1]!.evalSource).toMatchObject({ kind: 'network' });
  });

  it('extracts inline interpreter code and the shell commands it runs', () => {
    const inv = walk(`python3 -u -c "import os; os.system('rm -rf /x')"`);
    expect(inv[0]!.code).toMatchObject({ lang: 'python', flag: '-c' });
    expect(inv.map((i) => i.name)).toEqual(['python3', 'rm']);
    expect(names(`node -e "require('child_process').spawnSync('git', ['reset', '--hard'])"`)).toEqual([
      'node',
      'git',
    ]);
  });

  it('follows literal cd for later relative paths, but not out of subshells', () => {
    const inv = walk('cd /tmp && a; (cd /x; b); c; cd; d');
    expect(inv.filter((i) => i.name.length === 1).map((i) => i.cwd)).toEqual([
      '/tmp',
      '/x',
      '/tmp',
      '/home/dev',
    ]);
  });

  it('walks substitutions everywhere they run', () => {
    expect(names('x=$(a) b "$(c)" > "$(d)" <(e)')).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd', 'e']));
  });
});
