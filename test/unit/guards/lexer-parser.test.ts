import { describe, expect, it } from 'vitest';
import { Budget, LimitError } from '../../../guards/engine/budget.js';
import { decodeAnsiC } from '../../../guards/engine/shell/lexer.js';
import { parseShell } from '../../../guards/engine/shell/parser.js';
import type { Script, SimpleCommand } from '../../../guards/engine/shell/ast.js';
import { displayText, expandBraces, staticValue } from '../../../guards/engine/shell/words.js';

function cmds(script: Script): string[][] {
  const out: string[][] = [];
  for (const p of script.pipelines) {
    for (const s of p.stages) {
      if (s.k === 'cmd') {
        if (!s.loop) out.push(s.words.map(displayText));
      } else out.push(...cmds(s.body));
    }
  }
  return out;
}

const parse = (src: string) => parseShell(src, new Budget());

describe('lexer', () => {
  it('decodes ANSI-C quoting', () => {
    expect(decodeAnsiC("\\x72m'", 0).text).toBe('rm');
    expect(decodeAnsiC("\\162m'", 0).text).toBe('rm');
    expect(decodeAnsiC("\\u0072\\n'", 0).text).toBe('r\n');
    expect(decodeAnsiC("it\\'s'", 0).text).toBe("it's");
  });

  it('joins quoted and escaped pieces into one word', () => {
    const { script } = parse(`r\\m 'a b'"c"$'\\x64' \\\n x`);
    const words = (script.pipelines[0]!.stages[0] as SimpleCommand).words;
    expect(words.map(staticValue)).toEqual(['rm', 'a bcd', 'x']);
  });

  it('keeps expansions as parts, not text', () => {
    const { script } = parse('echo "$HOME/x" ${A:-b} $(ls) `pwd` $((1+2))');
    const words = (script.pipelines[0]!.stages[0] as SimpleCommand).words;
    expect(words.slice(1).map(staticValue)).toEqual([null, null, null, null, null]);
    expect(words[1]!.parts[0]).toMatchObject({ k: 'param', name: 'HOME' });
    expect(words[2]!.parts[0]).toMatchObject({ k: 'param', name: 'A', op: ':-' });
  });

  it('reads heredoc bodies, quoted and unquoted', () => {
    const { script } = parse("cat <<'A' <<-B\n$(x)\nA\n\t$(y)\n\tB\necho done");
    const c = script.pipelines[0]!.stages[0] as SimpleCommand;
    expect(c.redirs[0]!.heredoc).toMatchObject({ delim: 'A', quoted: true, body: '$(x)\n', parts: null });
    expect(c.redirs[1]!.heredoc!.quoted).toBe(false);
    expect(c.redirs[1]!.heredoc!.parts!.some((p) => p.k === 'cmdsub')).toBe(true);
    expect(cmds(script)).toEqual([['cat'], ['echo', 'done']]);
  });

  it('notes unterminated quotes instead of failing', () => {
    const r = parse("echo 'abc");
    expect(r.warnings).toContain('unterminated single quote');
    expect(cmds(r.script)).toEqual([['echo', 'abc']]);
  });
});

describe('parser', () => {
  it('splits lists, pipelines and background jobs', () => {
    const { script } = parse('a | b && c || d; e & f\ng |& h');
    expect(script.pipelines.map((p) => p.stages.length)).toEqual([2, 1, 1, 1, 1, 2]);
    expect(script.pipelines[4]!.background).toBe(false);
    expect(script.pipelines[3]!.background).toBe(true);
  });

  it('sees commands inside compound commands and functions', () => {
    const { script } = parse(
      'if a; then b; elif c; then d; else e; fi; while f; do g; done; for i in 1 2; do h; done; case x in y) i;; z|w) j;; esac; k() { l; }; { m; }; (n)',
    );
    expect(cmds(script).map((c) => c[0])).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
      'i',
      'j',
      'l',
      'm',
      'n',
    ]);
  });

  it('keeps what the interpreter needs: function names and loop bindings', () => {
    const { script } = parse('f() { rm -rf "$1"; }; function g { :; }; for d in / ~; do rm -rf "$d"; done');
    const stages = script.pipelines.map((p) => p.stages[0]!);
    expect(stages[0]).toMatchObject({ k: 'group', fn: 'f' });
    expect(stages[1]).toMatchObject({ k: 'group', fn: 'g' });
    const loop = stages[2]!.k === 'cmd' ? stages[2]!.loop : undefined;
    expect(loop?.name).toBe('d');
    expect(loop?.items?.map(displayText)).toEqual(['/', '~']);
  });

  it('parses command substitutions in place, nested', () => {
    const { script } = parse('echo "$(a "$(b)")" $(c) d');
    const w = (script.pipelines[0]!.stages[0] as SimpleCommand).words;
    expect(w).toHaveLength(4);
    const inner = w[1]!.parts[0]!;
    expect(inner.k).toBe('cmdsub');
    if (inner.k === 'cmdsub') expect(cmds(inner.script)[0]![0]).toBe('a');
  });

  it('separates assignments from the command', () => {
    const { script } = parse('A=1 B="x y" cmd arg');
    const c = script.pipelines[0]!.stages[0] as SimpleCommand;
    expect(c.assigns.map(displayText)).toEqual(['A=1', 'B=x y']);
    expect(c.words.map(displayText)).toEqual(['cmd', 'arg']);
  });

  it('stops at the depth limit with a LimitError', () => {
    expect(() => parse('echo ' + '$('.repeat(100))).toThrow(LimitError);
  });

  it('stops at the time budget with a LimitError', () => {
    let t = 0;
    const slow = new Budget({ wallMs: 5 }, () => (t += 1));
    expect(() => parseShell('echo ' + 'a '.repeat(10_000), slow)).toThrow(/costs more than 5 ms to check/);
  });
});

describe('brace expansion', () => {
  it('expands unquoted literal braces and leaves the rest', () => {
    const { script } = parse("{rm,-rf,/} a{b,c}d '{x,y}' {} {a}");
    const w = (script.pipelines[0]!.stages[0] as SimpleCommand).words;
    expect(w.flatMap(expandBraces).map(staticValue)).toEqual([
      'rm',
      '-rf',
      '/',
      'abd',
      'acd',
      '{x,y}',
      '{}',
      '{a}',
    ]);
  });
});
