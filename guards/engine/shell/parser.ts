/**
 * Shell parser: builds pipelines of simple commands and groups from the lexer's tokens. Compound commands (if,
 * while, until, for, case, functions, `{ …; }`, `( … )`) become groups, since the guard only needs to know which
 * commands can run; their keywords are stepped over. `$(…)` and `<(…)` are parsed in place on the same lexer.
 */
import type { Budget } from '../budget.js';
import type { Group, Pipeline, Redirect, Script, SimpleCommand, Stage, Word } from './ast.js';
import { Lexer, type NestedParser, type Token } from './lexer.js';

export interface ParseResult {
  script: Script;
  warnings: string[];
}

/** Parses shell source. Never throws on bad syntax (it notes warnings instead); throws `LimitError` past a limit. */
export function parseShell(src: string, budget: Budget, level = 0, warnings: string[] = []): ParseResult {
  budget.input(src.length);
  const nested: NestedParser = {
    parseUntilParen(lexer) {
      lexer.level++;
      budget.depth(lexer.level);
      try {
        return new Parser(lexer).list(')');
      } finally {
        lexer.level--;
      }
    },
    parseString(text, lvl) {
      return new Parser(new Lexer(text, budget, lvl, nested, warnings)).list('eof');
    },
  };
  const script = new Parser(new Lexer(src, budget, level, nested, warnings)).list('eof');
  return { script, warnings };
}

type Stop = 'eof' | ')' | '}' | 'case';

/** Words that may start a command but are not commands: stepped over. */
const TRANSPARENT = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!', 'coproc']);
/** Words that close a compound command: skipped where a command could start. */
const CLOSERS = new Set(['fi', 'done', 'esac']);

/** The plain text of a word that is one unquoted literal, else null (keywords must be unquoted). */
export function bareWord(w: Word): string | null {
  const p = w.parts[0];
  return w.parts.length === 1 && p && p.k === 'lit' && !p.q ? p.v : null;
}

const ASSIGN = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

/** Builtins whose `NAME=(…)` arguments are array assignments. */
const DECLARERS = new Set(['declare', 'typeset', 'local', 'readonly', 'export']);

function isAssignment(w: Word): boolean {
  const p = w.parts[0];
  return !!p && p.k === 'lit' && !p.q && ASSIGN.test(p.v);
}

class Parser {
  private la: Token | null = null;
  /** Tokens put back after a two-token look-ahead (`coproc NAME {`). */
  private back: Token[] = [];
  /** Open loops, innermost last: true for one that never ends on its own (`while true`, `until false`, `for ((;;))`). */
  private loops: boolean[] = [];

  constructor(private readonly lx: Lexer) {}

  /** Parses a compound command's body one level deeper: groups and subshells count toward the depth limit. */
  private nest<T>(parse: () => T): T {
    this.lx.level++;
    this.lx.budget.depth(this.lx.level);
    try {
      return parse();
    } finally {
      this.lx.level--;
    }
  }

  private peek(): Token {
    if (this.la === null) this.la = this.back.shift() ?? this.lx.next();
    return this.la;
  }

  private take(): Token {
    const t = this.peek();
    this.la = null;
    return t;
  }

  /** `coproc NAME { …; }` / `coproc NAME ( … )`: NAME names the coprocess, it is not the command. */
  private skipCoprocName(): void {
    const t = this.peek();
    if (t.t !== 'word' || !/^[A-Za-z_]\w*$/.test(bareWord(t.w) ?? '')) return;
    this.take();
    const n = this.peek();
    const compound = (n.t === 'word' && bareWord(n.w) === '{') || (n.t === 'op' && n.v === '(');
    if (compound) return;
    // not a name after all (`coproc cat file`): put the word back in front
    this.back.unshift(n);
    this.la = t;
  }

  private warn(msg: string): void {
    this.lx.warnings.push(msg);
  }

  list(stop: Stop): Script {
    const pipelines: Pipeline[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'eof') {
        if (stop === ')') this.warn("missing ')'");
        else if (stop === '}') this.warn("missing '}'");
        return { pipelines };
      }
      if (t.t === 'op') {
        if (t.v === ')') {
          this.take();
          if (stop === ')') return { pipelines };
          continue;
        }
        if (t.v === ';;' || t.v === ';&' || t.v === ';;&') {
          if (stop === 'case') return { pipelines };
          this.take();
          continue;
        }
        if (t.v !== '(') {
          this.take();
          if (t.v === '&' && pipelines.length > 0) {
            const last = pipelines[pipelines.length - 1]!;
            last.background = true;
            if (this.loops.includes(true)) last.endless = true;
          }
          continue;
        }
      }
      if (t.t === 'word') {
        const bare = bareWord(t.w);
        if (stop === 'case' && bare === 'esac') return { pipelines };
        if (stop === '}' && bare === '}') {
          this.take();
          return { pipelines };
        }
      }
      const p = this.pipeline(stop);
      if (p) pipelines.push(p);
    }
  }

  private pipeline(stop: Stop): Pipeline | null {
    const stages: Stage[] = [];
    for (;;) {
      const stage = this.stage(stop);
      if (stage) stages.push(stage);
      const t = this.peek();
      if (t.t === 'op' && (t.v === '|' || t.v === '|&')) {
        this.take();
        continue;
      }
      break;
    }
    return stages.length > 0 ? { stages, background: false } : null;
  }

  private stage(stop: Stop): Stage | null {
    for (;;) {
      const t = this.peek();
      if (t.t === 'op') {
        if (t.v === '(') {
          this.take();
          return this.group(
            true,
            this.nest(() => this.list(')')),
          );
        }
        return null;
      }
      if (t.t !== 'word') break;
      const bare = bareWord(t.w);
      if (bare === null) break;
      if (TRANSPARENT.has(bare)) {
        this.take();
        if (bare === 'coproc') this.skipCoprocName();
        if (bare === 'while' || bare === 'until') this.loops.push(this.endlessCondition(bare));
        continue;
      }
      if (CLOSERS.has(bare) || (bare === '}' && stop !== '}')) {
        this.take();
        if (bare === 'done') this.loops.pop();
        // `done < file`, `} > out`: the redirections belong to the closed compound; keep them as a bare command
        return this.peek().t === 'redir' ? this.simple() : null;
      }
      if (bare === '}' || (bare === 'esac' && stop === 'case')) return null;
      if (bare === '{') {
        this.take();
        return this.group(
          false,
          this.nest(() => this.list('}')),
        );
      }
      if (bare === 'for' || bare === 'select') {
        this.take();
        const t2 = this.peek();
        const loop = this.forHeader();
        this.loops.push(t2.t === 'op' && t2.v === '(' && this.lastArithEndless);
        if (loop) return { k: 'cmd', assigns: [], words: [], redirs: [], loop };
        continue;
      }
      if (bare === 'case') {
        this.take();
        return this.nest(() => this.caseCommand());
      }
      if (bare === 'function') {
        this.take();
        const nameTok = this.peek();
        const name = nameTok.t === 'word' ? bareWord(nameTok.w) : null;
        if (nameTok.t === 'word') this.take();
        this.skipEmptyParens();
        return this.functionBody(name);
      }
      if (bare === '[[') return this.testCommand();
      break;
    }
    return this.simple();
  }

  private group(subshell: boolean, body: Script): Group {
    const redirs: Redirect[] = [];
    for (let t = this.peek(); t.t === 'redir'; t = this.peek()) {
      redirs.push(t.r);
      this.take();
    }
    return { k: 'group', subshell, body, redirs };
  }

  private simple(): Stage | null {
    const cmd: SimpleCommand = { k: 'cmd', assigns: [], words: [], redirs: [] };
    for (;;) {
      const t = this.peek();
      if (t.t === 'word') {
        this.take();
        if (cmd.words.length === 0 && isAssignment(t.w)) {
          cmd.assigns.push(t.w);
          const bare = bareWord(t.w);
          const n = this.peek();
          if (bare !== null && bare.endsWith('=') && n.t === 'op' && n.v === '(') {
            // array assignment a=( … )
            this.take();
            const items: Word[] = [];
            for (let u = this.peek(); u.t === 'word' || (u.t === 'op' && u.v === '\n'); u = this.peek()) {
              this.take();
              if (u.t === 'word') {
                cmd.assigns.push(u.w);
                items.push(u.w);
              }
            }
            const append = bare.endsWith('+=');
            (cmd.arrays ??= []).push({
              name: bare.slice(0, append ? -2 : -1),
              items,
              ...(append ? { append } : {}),
            });
            const close = this.peek();
            if (close.t === 'op' && close.v === ')') this.take();
          }
        } else {
          cmd.words.push(t.w);
          // `declare -A m=([k]=v)`, `local -a a=(x y)`: an array literal as a declaration's argument
          const bare = cmd.words.length > 1 ? bareWord(t.w) : null;
          const n = this.peek();
          if (
            bare !== null &&
            /^[A-Za-z_]\w*\+?=$/.test(bare) &&
            n.t === 'op' &&
            n.v === '(' &&
            DECLARERS.has(bareWord(cmd.words[0]!) ?? '')
          ) {
            this.take();
            const items: Word[] = [];
            for (let u = this.peek(); u.t === 'word' || (u.t === 'op' && u.v === '\n'); u = this.peek()) {
              this.take();
              if (u.t === 'word') {
                cmd.assigns.push(u.w);
                items.push(u.w);
              }
            }
            const append = bare.endsWith('+=');
            (cmd.arrays ??= []).push({
              name: bare.slice(0, append ? -2 : -1),
              items,
              declared: true,
              ...(append ? { append } : {}),
            });
            const close = this.peek();
            if (close.t === 'op' && close.v === ')') this.take();
          }
        }
        continue;
      }
      if (t.t === 'redir') {
        this.take();
        cmd.redirs.push(t.r);
        continue;
      }
      if (t.t === 'op' && t.v === '(' && cmd.words.length === 1 && cmd.assigns.length === 0) {
        // name() compound: a function definition; its body is analysed as if it ran
        this.take();
        const close = this.peek();
        if (close.t === 'op' && close.v === ')') this.take();
        return this.functionBody(bareWord(cmd.words[0]!));
      }
      break;
    }
    return cmd.words.length + cmd.assigns.length + cmd.redirs.length > 0 ? cmd : null;
  }

  /** The compound command after a function header, as a group that carries the function's name. */
  private functionBody(name: string | null): Stage | null {
    const body = this.nest(() => this.stage('eof'));
    if (!body || name === null) return body;
    return {
      k: 'group',
      subshell: false,
      body: { pipelines: [{ stages: [body], background: false }] },
      redirs: [],
      fn: name,
    };
  }

  private skipEmptyParens(): void {
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') {
      this.take();
      const c = this.peek();
      if (c.t === 'op' && c.v === ')') this.take();
    }
  }

  /** Reads `NAME [in WORDS]` (returned as the loop's binding) or steps over `((…;…;…))`, up to before `do`. */
  private lastArithEndless = false;

  /** `while true|:|[ 1 ]|((1))`, `until false`: the condition never stops the loop. */
  private endlessCondition(kw: string): boolean {
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') return false;
    const b = t.t === 'word' ? bareWord(t.w) : null;
    if (kw === 'until') return b === 'false';
    return b === 'true' || b === ':' || b === '((1))';
  }

  private forHeader(): { name: string; items: Word[] | null } | null {
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') {
      let depth = 0;
      // `for ((;;))`: nothing but the two semicolons between the parentheses
      let onlySemis = true;
      for (let u = this.peek(); u.t !== 'eof'; u = this.peek()) {
        this.take();
        if (u.t === 'op' && u.v === '(') depth++;
        else if (u.t === 'op' && u.v === ')') {
          if (--depth === 0) {
            this.lastArithEndless = onlySemis;
            return null;
          }
        } else if (!(u.t === 'op' && (u.v === ';' || u.v === ';;'))) onlySemis = false;
      }
      this.lastArithEndless = false;
      return null;
    }
    let name: string | null = null;
    let items: Word[] | null = null;
    for (let u = this.peek(); u.t === 'word'; u = this.peek()) {
      const bare = bareWord(u.w);
      if (bare === 'do') break;
      this.take();
      if (name === null) name = bare ?? '';
      else if (items === null && bare === 'in') items = [];
      else if (items !== null) items.push(u.w);
    }
    return name ? { name, items } : null;
  }

  private caseCommand(): Group {
    const pipelines: Pipeline[] = [];
    // subject word(s) up to `in`
    for (let t = this.peek(); t.t === 'word'; t = this.peek()) {
      this.take();
      if (bareWord(t.w) === 'in') break;
    }
    for (;;) {
      let t = this.peek();
      while (t.t === 'op' && (t.v === '\n' || t.v === ';')) {
        this.take();
        t = this.peek();
      }
      if (t.t === 'eof') {
        this.warn("missing 'esac'");
        break;
      }
      if (t.t === 'word' && bareWord(t.w) === 'esac') {
        this.take();
        break;
      }
      // pattern list up to ')'
      if (t.t === 'op' && t.v === '(') this.take();
      for (let u = this.peek(); u.t !== 'eof'; u = this.peek()) {
        this.take();
        if (u.t === 'op' && u.v === ')') break;
      }
      pipelines.push(...this.list('case').pipelines);
      const end = this.peek();
      if (end.t === 'op' && (end.v === ';;' || end.v === ';&' || end.v === ';;&')) this.take();
    }
    return this.group(false, { pipelines });
  }

  /** `[[ … ]]`: its words are kept (substitutions inside still run), its operators are not commands. */
  private testCommand(): SimpleCommand {
    const cmd: SimpleCommand = { k: 'cmd', assigns: [], words: [], redirs: [] };
    for (let t = this.peek(); t.t !== 'eof'; t = this.peek()) {
      this.take();
      if (t.t === 'word') {
        cmd.words.push(t.w);
        if (bareWord(t.w) === ']]') break;
      } else if (t.t === 'redir' && t.r.target) {
        cmd.words.push(t.r.target);
      } else if (t.t === 'op' && (t.v === '\n' || t.v === ';')) {
        break;
      }
    }
    return cmd;
  }
}
