/**
 * Pack `write`: one notion of "a write to path P", fed by every way a shell writes — redirections (`>`, `>>`, `>|`,
 * `&>`, `<>`, `>& file`), `tee`, `cp`/`mv`/`install`/`ln` targets (incl. `-t DIR`), `sed -i`, `dd of=`, `truncate`,
 * `crontab`, and files literal inline code writes — checked against the list the file tools use: credential files
 * (incl. `~/.ssh/authorized_keys`) and files that run code later (`runsLater`).
 */
import { writeTargets as codeWriteTargets } from '../inline-code.js';
import { resolveLexical, runsLater } from '../paths.js';
import { toArg, type Arg, type Invocation } from '../shell/invocation.js';
import { argPath, operands } from './args.js';
import type { Rule, RuleContext } from './types.js';

export interface Write {
  /** The absolute path written. */
  path: string;
  /** How (`> file`, `tee`, `cp`, `python -c open()`). */
  via: string;
}

const WRITE_REDIRS = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);
const COPY_WITH_ARG: Record<string, string[]> = {
  cp: ['-S', '--suffix'],
  mv: ['-S', '--suffix'],
  ln: ['-S', '--suffix'],
  install: ['-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix'],
};

const WRITERS = new Set(['tee', 'cp', 'mv', 'ln', 'install', 'sed', 'dd', 'truncate', 'crontab']);
const NO_WRITES: Write[] = [];

const cache = new WeakMap<Invocation, { ctx: RuleContext; writes: Write[] }>();

/** Every path `inv` writes (cached per call). Computed paths are left out. */
export function writesOf(inv: Invocation, ctx: RuleContext): Write[] {
  // most commands write nothing: answer those without allocating
  if (inv.redirs.length === 0 && !WRITERS.has(inv.name) && !inv.code?.text) return NO_WRITES;
  const c = cache.get(inv);
  if (c && c.ctx === ctx) return c.writes;
  const writes = findWrites(inv, ctx);
  cache.set(inv, { ctx, writes });
  return writes;
}

function findWrites(inv: Invocation, ctx: RuleContext): Write[] {
  const out: Write[] = [];
  const add = (a: Arg, via: string) => {
    const p = argPath(a, ctx);
    if (p !== null) out.push({ path: p, via });
  };
  for (const r of inv.redirs) {
    if (!r.target || r.heredoc) continue;
    const dupToFile = (r.op === '>&' || r.op === '&>') && !/^[0-9-]+$/.test(r.target.raw);
    if (WRITE_REDIRS.has(r.op) || dupToFile) add(toArg(r.target), `${r.op} ${r.target.raw}`);
  }
  const n = inv.name;
  if (n === 'tee') for (const a of operands(inv)) add(a, 'tee');
  if (n in COPY_WITH_ARG) {
    const withArg = COPY_WITH_ARG[n]!;
    const ops = operands(inv, [...withArg, '-t', '--target-directory']);
    const vals = inv.args.map((a) => a.value ?? '');
    const t = vals.findIndex((v) => v === '-t' || v === '--target-directory');
    const tEq = vals.find((v) => v.startsWith('--target-directory=') || /^-t./.test(v));
    let dir: Arg | undefined;
    if (t !== -1) dir = inv.args[t + 1];
    else if (tEq)
      dir = toArg({
        parts: [{ k: 'lit', v: tEq.replace(/^(?:--target-directory=|-t)/, ''), q: true }],
        raw: tEq,
      });
    const sources = dir ? ops : ops.slice(0, -1);
    const dest = dir ?? (ops.length >= 2 ? ops[ops.length - 1] : undefined);
    if (dest) {
      add(dest, n);
      const d = argPath(dest, ctx);
      if (d !== null)
        for (const s of sources) {
          const base = (s.value ?? '').replace(/\/+$/, '').split('/').pop();
          if (base) out.push({ path: `${d}/${base}`, via: n });
        }
    }
  }
  if (n === 'sed' && inv.args.some((a) => /^(?:-[a-zA-Z]*i|--in-place)/.test(a.value ?? ''))) {
    const hasScriptOpt = inv.args.some((a) => /^(?:-e|-f|--expression|--file)/.test(a.value ?? ''));
    const ops = operands(inv, ['-e', '-f', '--expression', '--file', '-l', '--line-length']);
    for (const a of hasScriptOpt ? ops : ops.slice(1)) add(a, 'sed -i');
  }
  if (n === 'dd') {
    for (const a of inv.args) {
      if (a.value?.startsWith('of=')) {
        const v = a.value.slice(3);
        add({ ...a, value: v, text: v }, 'dd of=');
      }
    }
  }
  if (n === 'truncate')
    for (const a of operands(inv, ['-s', '--size', '-r', '--reference'])) add(a, 'truncate');
  if (n === 'crontab') {
    const vals = inv.args.map((a) => a.value);
    if (!vals.some((v) => v === '-l' || v === '-r' || v === '-e' || v === '-i' || v === null))
      out.push({ path: '/var/spool/cron/crontabs/user', via: `crontab ${vals.join(' ')}`.trim() });
  }
  if (inv.code?.text) {
    for (const t of codeWriteTargets(inv.code.text))
      out.push({ path: resolveLexical(t, { cwd: ctx.cwd, home: ctx.home }), via: `${n} ${inv.code.flag}` });
  }
  return out;
}

export const writeRules: Rule[] = [
  {
    id: 'write.credential',
    pack: 'write',
    reason:
      'writes a credential or SSH access file (authorized_keys, keys, tokens); a new key there is a way in; ask the user',
    match: (inv, ctx) => {
      for (const w of writesOf(inv, ctx)) {
        const hit = ctx.sensitive.match(w.path, true);
        if (hit && hit.kind === 'credential') return `${hit.entry} via ${w.via}`;
      }
      return false;
    },
  },
  {
    id: 'write.runs-later',
    pack: 'write',
    reason:
      'writes a file that runs code later, outside your task (shell startup, git hooks or config, agent settings, cron); ask the user',
    match: (inv, ctx) => {
      for (const w of writesOf(inv, ctx)) {
        const kind = runsLater(w.path, ctx.home);
        if (kind) return `${kind}: ${w.path} via ${w.via}`;
      }
      return false;
    },
  },
];
