import { describe, expect, it } from 'vitest';
import { Budget } from '../../../guards/engine/budget.js';
import { decide, type DecideOptions } from '../../../guards/engine/decide.js';
import { writeTargets } from '../../../guards/engine/code-writes.js';
import { runsLater } from '../../../guards/engine/paths.js';
import { normalizeSql } from '../../../guards/engine/rules/database.js';
import { outputOf } from '../../../guards/engine/shell/interp.js';
import type { Invocation, WalkContext } from '../../../guards/engine/shell/invocation.js';
import { walkScript } from '../../../guards/engine/shell/normalize.js';
import { parseShell } from '../../../guards/engine/shell/parser.js';

function walk(src: string): Invocation[] {
  const budget = new Budget();
  const { script, warnings } = parseShell(src, budget);
  const ctx: WalkContext = {
    budget,
    warnings,
    out: [],
    cwd: '/work/ws',
    home: '/home/dev',
    workspace: '/work/ws',
  };
  walkScript(script, ctx, 0, []);
  return ctx.out;
}
/** Every argv of `name` the walk produced, with known values and expansions as written. */
const argvs = (src: string, name: string) =>
  walk(src)
    .filter((i) => i.name === name)
    .map((i) => i.args.map((a) => a.value ?? a.text));

function output(sub: string, cwd = '/work/ws'): string | null {
  const budget = new Budget();
  const { script } = parseShell(sub, budget);
  return outputOf(script, { budget, warnings: [], out: [], cwd, home: '/home/dev', workspace: '/work/ws' });
}

const base: DecideOptions = { home: '/home/dev', workspace: '/work/ws', gitBranch: () => 'feature/x' };
const run = (command: string, opts: DecideOptions = {}) =>
  decide({ kind: 'shell', tool: 'Bash', command, cwd: '/work/ws' }, { ...base, ...opts });

describe('abstract interpreter', () => {
  it('knows the output of pwd, echo, printf, dirname, basename, realpath, git rev-parse, mktemp', () => {
    expect(output('pwd')).toBe('/work/ws');
    expect(output('cd .. && pwd')).toBe('/work');
    expect(output('echo ~')).toBe('/home/dev');
    expect(output('echo -n a b')).toBe('a b');
    expect(output('printf "%s/%s" /home dev')).toBe('/home/dev');
    expect(output('dirname "$PWD"')).toBe('/work');
    expect(output('basename /a/b.txt .txt')).toBe('b');
    expect(output('realpath ../x')).toBe('/work/x');
    expect(output('readlink -f .')).toBe('/work/ws');
    expect(output('git rev-parse --show-toplevel', '/work/ws/src')).toBe('/work/ws');
    expect(output('git rev-parse --git-dir')).toBe('.git');
    expect(output('mktemp -d')).toBe('/tmp/tmp.XXXXXXXXXX');
    expect(output('whoami')).toBe('dev');
    // decoders fed known text (round 8a): the rules judge the decoded text
    expect(output('echo -e "\\x2f"')).toBe('/');
    expect(output('echo Z2l0IHN0YXR1cw== | base64 -d')).toBe('git status');
    expect(output('base64 -d <<< Z2l0')).toBe('git');
    expect(output("printf '\\x67\\151t'")).toBe('git');
    expect(output('echo tig | rev')).toBe('git');
    expect(output('echo 676974 | xxd -r -p')).toBe('git');
    expect(output('echo tvg | tr a-z n-za-m')).toBe('git');
  });

  it('leaves unknown outputs unknown', () => {
    for (const s of [
      'cat f',
      'ls | head -1',
      'echo x | base64 -d',
      'base64 -d payload.b64',
      'echo aGk= | base64 -d | sed s/h/r/',
      'git rev-parse HEAD',
      'echo *',
      'printf "%q" x',
    ])
      expect(output(s), s).toBeNull();
    expect(output('git rev-parse --show-toplevel', '/tmp')).toBeNull();
  });

  it('tracks assignments, export/local/declare, read, for loops, set -- and function arguments', () => {
    expect(argvs('T=/home/dev; rm -rf "$T"', 'rm')).toEqual([['-rf', '/home/dev']]);
    expect(argvs('export X=$HOME/.cache; rm -rf $X', 'rm')).toEqual([['-rf', '/home/dev/.cache']]);
    // the definition is walked once with unknown arguments, then each call with its own
    expect(argvs('f() { local d=$1; rm -rf "$d"; }; f ~', 'rm')).toContainEqual(['-rf', '/home/dev']);
    expect(argvs('read -r a b <<< "x y z"; echo "$a" "$b"', 'echo')).toEqual([['x', 'y z']]);
    expect(argvs('for d in / ~; do rm -rf "$d"; done', 'rm')).toEqual([
      ['-rf', '/'],
      ['-rf', '/home/dev'],
    ]);
    expect(argvs('set -- a "b c"; printf "%s" "$@"', 'printf')).toEqual([['%s', 'a', 'b c']]);
    expect(argvs('CMD="rm -rf"; $CMD /x', 'rm')).toEqual([['-rf', '/x']]);
    expect(argvs('alias del="rm -rf"; del /y', 'rm')).toEqual([['-rf', '/y']]);
  });

  it('keeps every value a variable may have, since it does not know which branch ran', () => {
    expect(argvs('T=/tmp/x; [ -n "$CI" ] || T=/; rm -rf "$T"', 'rm')).toEqual([
      ['-rf', '/tmp/x'],
      ['-rf', '/'],
    ]);
  });

  it('keeps an unknown substitution as an expansion, assigned or not', () => {
    expect(argvs('X=$(cat f); rm -rf "$X"', 'rm')).toEqual([['-rf', '$(cat f)']]);
    expect(argvs('rm -rf $UNSET_FROM_ENV', 'rm')).toEqual([['-rf', '$UNSET_FROM_ENV']]);
  });

  it('marks a function that runs itself concurrently (fork bomb)', () => {
    expect(walk(':(){ :|:& };:').some((i) => i.spawnsItself)).toBe(true);
    expect(walk('f() { echo hi | cat; }; f').some((i) => i.spawnsItself)).toBe(false);
  });

  it('blocks recursive deletion of what it cannot compute; in lockdown, any destructive computed operand', () => {
    expect(run('rm -rf "$(cat target.txt)"').rule).toBe('fs.rm-recursive-computed');
    expect(run('rm -rf "$(cat target.txt)/build"').decision).toBe('allow');
    expect(run('rm -f "$(cat target.txt)"')).toMatchObject({ decision: 'allow' });
    expect(run('rm -f "$(cat target.txt)"').warnings.join()).toMatch(/computed at run time/);
    expect(run('rm -f "$(cat target.txt)"', { lockdown: true }).rule).toBe('fs.computed-target-lockdown');
    expect(run('cat list | xargs rm -rf').rule).toBe('fs.rm-recursive-computed');
    expect(run('find . -name node_modules -prune | xargs rm -rf').decision).toBe('allow');
  });

  it('reads `[ … ]` as test, not a computed command name (a lone `[` is no glob), also in lockdown', () => {
    for (const lockdown of [false, true]) {
      expect(run('if [ -n "$X" ]; then echo set; fi', { lockdown }).decision).toBe('allow');
      expect(run('[ -d build ] && echo yes', { lockdown }).decision).toBe('allow');
    }
    expect(walk('[ -n "$X" ]').find((i) => i.name === '[')?.dynamic).toBe(false);
    expect(walk('[a-z]m -rf /').some((i) => i.dynamic)).toBe(true);
    expect(run('r[m] -rf ~').decision).toBe('block');
  });
});

describe('writes', () => {
  it('one list of files that run code later, for the file tools and the shell', () => {
    expect(runsLater('/home/dev/.bashrc', '/home/dev')).toMatch(/startup/);
    expect(runsLater('/home/dev/.config/autostart/x.desktop', '/home/dev')).toMatch(/startup/);
    expect(runsLater('/work/ws/.git/hooks/pre-commit', '/home/dev')).toMatch(/git/);
    expect(runsLater('/work/ws/.git/config', '/home/dev')).toMatch(/git/);
    expect(runsLater('/etc/cron.d/x', '/home/dev')).toMatch(/cron/);
    expect(runsLater('/work/ws/.git/hooks.md', '/home/dev')).toBeNull();
    expect(runsLater('/work/ws/dotfiles/.bashrc', '/home/dev')).toBeNull();
  });

  it('finds the targets of inline code writes', () => {
    expect(writeTargets("open('/a/b', 'a').write('x')")).toEqual(['/a/b']);
    expect(writeTargets("print(open('/a/b').read())")).toEqual([]);
    expect(writeTargets("require('fs').appendFileSync(process.env.HOME + '/.bashrc', 'x')")).toEqual([
      '~/.bashrc',
    ]);
    expect(writeTargets('open(F, ">>$ENV{HOME}/.profile"); print F 1')).toEqual(['~/.profile']);
    expect(writeTargets("open(my $fh, '>', '.git/config')")).toEqual(['.git/config']);
    expect(writeTargets('File.write(".git/hooks/x", "y")')).toEqual(['.git/hooks/x']);
  });

  it('every way a shell writes reaches the same check', () => {
    for (const cmd of [
      'echo x > ~/.bashrc',
      'echo x >> ~/.bashrc',
      'echo x >| ~/.bashrc',
      'echo x &> ~/.bashrc',
      'echo x | tee -a ~/.bashrc',
      'cp a ~/.bashrc',
      'mv a ~/.bashrc',
      'install a ~/.bashrc',
      'ln -sf a ~/.bashrc',
      'cp -t ~ .bashrc',
      'sed -i "s/a/b/" ~/.bashrc',
      'dd if=a of=/home/dev/.bashrc',
      'cat > ~/.bashrc <<EOF\nx\nEOF',
      "python3 -c \"open('/home/dev/.bashrc', 'w')\"",
    ])
      expect(run(cmd).rule, cmd).toBe('write.runs-later');
    expect(run('echo k >> ~/.ssh/authorized_keys').rule).toBe('write.credential');
    expect(run('echo x > ./bashrc').decision).toBe('allow');
  });
});

describe('SQL as the server reads it', () => {
  it('drops comments and string literals', () => {
    expect(normalizeSql("DROP/**/TABLE t; SELECT 'DROP TABLE x' -- DROP TABLE y")).toBe(
      "DROP TABLE t; SELECT ''  ",
    );
  });
});
