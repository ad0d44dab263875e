/**
 * Pack `write`: one notion of "a write to path P", fed by every way a shell writes — redirections (`>`, `>>`, `>|`,
 * `&>`, `<>`, `>& file`), `tee`, `cp`/`mv`/`install`/`ln` targets (incl. `-t DIR`), `sed -i`, `dd of=`, `truncate`,
 * `crontab`, and files literal inline code writes — checked against the list the file tools use: credential files
 * (incl. `~/.ssh/authorized_keys`) and files that run code later (`runsLater`).
 */
import { LIFECYCLE } from '../shell/command-strings.js';
import { writeTargets as codeWriteTargets } from '../code-writes.js';
import { awkWriteTargets } from '../code-awk.js';
import { resolveLexical, runsLater } from '../paths.js';
import { toArg, type Arg, type Invocation } from '../shell/invocation.js';
import { argPath, operands, throughLinks } from './args.js';
import { DecisionMemo } from './memo.js';
import type { Rule, RuleContext } from './types.js';
import { nullProto } from '../null-proto.js';
import { globMatches } from '../glob.js';

export interface Write {
  /** The absolute path written. */
  path: string;
  /** How (`> file`, `tee`, `cp`, `python -c open()`). */
  via: string;
}

const WRITE_REDIRS = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);
const COPY_WITH_ARG: Record<string, string[]> = nullProto({
  cp: ['-S', '--suffix'],
  mv: ['-S', '--suffix'],
  ln: ['-S', '--suffix'],
  install: ['-m', '--mode', '-o', '--owner', '-g', '--group', '-S', '--suffix'],
});

const WRITERS = new Set([
  'tee',
  'sponge',
  'cp',
  'mv',
  'ln',
  'install',
  'sed',
  'dd',
  'truncate',
  'crontab',
  'rsync',
  'scp',
  'curl',
  'wget',
  'tar',
  'unzip',
  'bsdtar',
]);
/** Options of rsync and scp that take a separate value (so it is not a source or the destination). */
const SYNC_WITH_ARG = [
  '-e',
  '--rsh',
  '-f',
  '--filter',
  '--exclude',
  '--include',
  '--exclude-from',
  '--include-from',
  '--files-from',
  '-T',
  '--temp-dir',
  '--partial-dir',
  '--backup-dir',
  '--suffix',
  '--chmod',
  '--chown',
  '-B',
  '--block-size',
  '--log-file',
  '-P',
  '-i',
  '-F',
  '-o',
  '-c',
  '-l',
  '-J',
  '-S',
];
const NO_WRITES: Write[] = [];
/** Package-manager config keys naming a program the tool runs later (npm/pnpm/yarn classic, yarn berry). */
const TOOL_EXEC_KEY =
  /^(?:script-shell|scriptShell|shell|node-options|nodeOptions|git|editor|browser|viewer|init-module|onload-script|yarnPath|yarn-path|node-gyp|nodeLinker-hook|globalconfig|userconfig)$/;

const JQ_SETS_SCRIPT = /\.scripts(?:\.|\[\s*"|\s*\+=\s*\{\s*"?)([A-Za-z]+)"?\s*\]?\s*(?:\|?=|:)/;

const cache = new DecisionMemo<Invocation, Write[]>();

/** Files that run later or hold access, as a write through a glob could name them. */
const GLOB_CANDIDATES = [
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.bash_logout',
  '.ssh/authorized_keys',
  '.ssh/rc',
  '.gitconfig',
  '.config/fish/config.fish',
];
const WORKSPACE_CANDIDATES = [
  '.git/config',
  '.git/hooks/pre-commit',
  '.git/hooks/post-checkout',
  '.envrc',
  '.claude/settings.json',
];

function globCandidates(ctx: RuleContext): string[] {
  return [
    ...GLOB_CANDIDATES.map((f) => `${ctx.home}/${f}`),
    ...WORKSPACE_CANDIDATES.map((f) => `${ctx.workspace}/${f}`),
  ];
}

/** Every path `inv` writes (cached per call). Computed paths are left out. */
export function writesOf(inv: Invocation, ctx: RuleContext): Write[] {
  // most commands write nothing: answer those without allocating
  if (inv.redirs.length === 0 && !WRITERS.has(inv.name) && !inv.code?.text) return NO_WRITES;
  const c = cache.get(inv, ctx);
  if (c) return c.value;
  const writes = findWrites(inv, ctx);
  cache.set(inv, ctx, writes);
  return writes;
}

function findWrites(inv: Invocation, ctx: RuleContext): Write[] {
  const out: Write[] = [];
  // writing to a symlink the same command made writes its target (`ln -sf ~/.bashrc notes.txt; echo … >> notes.txt`);
  // mv and ln replace the link itself
  const follows = inv.name !== 'mv' && inv.name !== 'ln';
  const add = (a: Arg, via: string) => {
    const p = argPath(a, ctx) ?? pythonStartupTail(a.text);
    if (p === null) return;
    // `tee -a ~/.ba?hrc`: a glob writes whichever of the files that run later it matches
    if (a.glob && /[*?[]/.test(p))
      for (const c of globCandidates(ctx))
        if (globMatches(p, c)) out.push({ path: c, via: `${via} (${a.text})` });
    out.push({ path: follows ? throughLinks(p, ctx, true) : p, via });
  };
  for (const r of inv.redirs) {
    if (!r.target || r.heredoc) continue;
    const dupToFile = (r.op === '>&' || r.op === '&>') && !/^[0-9-]+$/.test(r.target.raw);
    if (WRITE_REDIRS.has(r.op) || dupToFile) add(toArg(r.target), `${r.op} ${r.target.raw}`);
  }
  const n = inv.name;
  if (n === 'tee' || n === 'sponge') for (const a of operands(inv)) add(a, n);
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
  if ((n === 'rsync' || n === 'scp') && inv.args.length > 0) {
    const ops = operands(
      inv,
      n === 'rsync' ? SYNC_WITH_ARG.filter((o) => o !== '-P' && o !== '-i') : SYNC_WITH_ARG,
    );
    const dest = ops.length >= 2 ? ops[ops.length - 1] : undefined;
    // a remote destination (host:path) is not written here
    if (dest && dest.value !== null && !/^[^/]*:/.test(dest.value)) {
      add(dest, n);
      const d = argPath(dest, ctx);
      if (d !== null && (dest.value.endsWith('/') || ops.length > 2))
        for (const s of ops.slice(0, -1)) {
          const base = (s.value ?? '').replace(/\/+$/, '').split(/[/:]/).pop();
          if (base && !(s.value ?? '').endsWith('/')) out.push({ path: `${d}/${base}`, via: n });
        }
    }
  }
  if (n === 'curl' || n === 'wget') {
    const a = inv.args;
    const outFlags =
      n === 'curl' ? /^(?:-o|--output)$/ : /^(?:-O|--output-document|-o|--output-file|-a|--append-output)$/;
    const outEq = n === 'curl' ? /^--output=/ : /^--(?:output-document|output-file|append-output)=/;
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!.value ?? '';
      if (outFlags.test(v) && a[i + 1]) add(a[i + 1]!, `${n} ${v}`);
      else if (outEq.test(v)) {
        const t = v.slice(v.indexOf('=') + 1);
        add({ ...a[i]!, value: t, text: t }, `${n} ${v.slice(0, v.indexOf('='))}`);
      } else if (n === 'curl' && /^-[a-zA-Z]*o./.test(v) && !v.startsWith('--')) {
        const t = v.slice(v.indexOf('o') + 1);
        add({ ...a[i]!, value: t, text: t }, 'curl -o');
      }
    }
  }
  if (n === 'tar' || n === 'bsdtar' || n === 'unzip') {
    // the directory an archive is extracted into: `tar -x -C DIR`, `tar xf a.tar --directory=DIR`, `unzip a -d DIR`
    const a = inv.args;
    const extracting =
      n === 'unzip' || a.some((x) => /^(?:-[a-zA-Z]*x|x[a-zA-Z]*$|--extract|--get)/.test(x.value ?? ''));
    const flag = n === 'unzip' ? '-d' : '-C';
    for (let i = 0; extracting && i < a.length; i++) {
      const v = a[i]!.value ?? '';
      if ((v === flag || v === '--directory') && a[i + 1]) add(a[i + 1]!, `${n} ${v}`);
      else if (v.startsWith('--directory=')) {
        const t = v.slice('--directory='.length);
        add({ ...a[i]!, value: t, text: t }, `${n} --directory`);
      }
    }
  }
  if (inv.code && (inv.code.lang === 'perl' || inv.code.lang === 'ruby' || inv.code.lang === 'awk'))
    for (const a of inPlaceFiles(inv)) add(a, `${n} -i`);
  if (inv.code?.lang === 'awk' && inv.code.text) {
    for (const t of awkWriteTargets(inv.code.text, awkVars(inv)))
      out.push({ path: resolveLexical(t, { cwd: ctx.cwd, home: ctx.home }), via: `${n} print >` });
  }
  if (inv.code?.text) {
    // `open(site.getsitepackages()[0] + '/a.pth', 'w')`: a .pth joined onto a computed site directory
    const site = SITE_DIR_EXPR.test(inv.code.text);
    for (const t of codeWriteTargets(inv.code.text)) {
      const path = site && /^\/[^/]+\.pth$/.test(t) ? `/(computed)/site-packages${t}` : t;
      out.push({
        path: resolveLexical(path, { cwd: ctx.cwd, home: ctx.home }),
        via: `${n} ${inv.code.flag}`,
      });
    }
  }
  // `cp -a /tmp/d/. ~/`, `rsync -a /tmp/d/ .git/`, `tar xf t -C ~`, `git init --template=/tmp/t`: a whole tree
  // copied into the home or .git writes whatever startup files or hooks it holds
  const into = treeDestination(inv, ctx);
  if (into !== null)
    for (const c of globCandidates(ctx))
      if (c.startsWith(`${into}/`)) out.push({ path: c, via: `${n} copies a tree into ${into}` });
  return out;
}

/** The home or the repository's .git (or its hooks) when `inv` copies a whole directory tree into it. */
function treeDestination(inv: Invocation, ctx: RuleContext): string | null {
  const n = inv.name;
  const v = inv.args.map((a) => a.value ?? '');
  let dest: string | undefined;
  if (n === 'cp' && v.some((x) => /^-[a-zA-Z]*[rRa]/.test(x) || x === '--recursive' || x === '--archive'))
    dest = v.filter((x) => !x.startsWith('-')).at(-1);
  // (with --delete it is a deletion first, which fs.rsync-delete judges)
  else if (n === 'rsync' && !v.some((x) => x.startsWith('--delete')))
    dest = v.filter((x) => !x.startsWith('-')).at(-1);
  else if ((n === 'tar' || n === 'bsdtar') && /^-?[A-Za-z]*x/.test(v[0] ?? '')) {
    const c = v.findIndex((x) => x === '-C' || x === '--directory');
    dest = c === -1 ? undefined : v[c + 1];
  } else if (n === 'git' && v.includes('init') && v.some((x) => x.startsWith('--template'))) dest = '.git';
  if (!dest) return null;
  const abs = resolveLexical(dest.replace(/\/+\.?$/, '') || '/', { cwd: inv.cwd, home: ctx.home });
  const git = `${ctx.workspace}/.git`;
  if (abs === ctx.home || abs === git) return abs;
  if (abs === `${git}/hooks`) return git;
  return null;
}

/** Code or a substitution that computes a site-packages directory. */
const SITE_DIR_EXPR =
  /\bgetsitepackages\b|\bgetusersitepackages\b|\bUSER_SITE\b|(?:^|\s)-m\s+site\b|\bpurelib\b|\bplatlib\b|site-packages/;
/** Python runs these at every start wherever the site directory is: their name alone says what they are. */
const PY_STARTUP_TAIL = /\/((?:site|user)customize\.py|[^/$`)]+\.pth)$/;

/**
 * A computed target that ends in a Python startup hook (`> "$(python3 -m site --user-site)/sitecustomize.py"`,
 * `"$SITE/x.pth"`): the site directory is what the substitution computes, so the path is judged by its tail.
 */
function pythonStartupTail(text: string): string | null {
  const m = PY_STARTUP_TAIL.exec(text);
  if (!m) return null;
  if (m[1]!.endsWith('.pth') && !SITE_DIR_EXPR.test(text) && !/\$\{?\w*SITE/i.test(text)) return null;
  return `/(computed)/site-packages/${m[1]}`;
}

/** `awk -v name=value` assignments. */
function awkVars(inv: Invocation): Map<string, string> {
  const vars = new Map<string, string>();
  for (let i = 0; i < inv.args.length; i++) {
    const v = inv.args[i]!.value;
    const kv = v === '-v' ? inv.args[i + 1]?.value : v?.startsWith('-v') ? v.slice(2) : null;
    const m = kv ? /^([A-Za-z_]\w*)=(.*)$/s.exec(kv) : null;
    if (m) vars.set(m[1]!, m[2]!);
  }
  return vars;
}

/**
 * The files `perl -i`/`-pi`/`-i.bak`, `ruby -i` and `gawk -i inplace` edit in place: the operands after the code.
 */
function inPlaceFiles(inv: Invocation): Arg[] {
  const a = inv.args;
  const lang = inv.code!.lang;
  let inPlace = false;
  let afterCode = lang === 'awk' ? -1 : a.length;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value ?? '';
    if (lang === 'awk') {
      if ((v === '-i' || v === '--include') && a[i + 1]?.value === 'inplace') inPlace = true;
      if (v === '-i' || v === '--include' || v === '-f' || v === '-v' || v === '-F') {
        i++;
        continue;
      }
      if (!v.startsWith('-') && afterCode === -1) afterCode = i + 1;
      continue;
    }
    if (/^-[a-zA-Z0-9]*i/.test(v) && !v.startsWith('--')) inPlace = true;
    if (/^-[a-zA-Z0-9]*e$/.test(v) || (lang === 'perl' && /^-[a-zA-Z0-9]*E$/.test(v))) afterCode = i + 2;
  }
  if (!inPlace || afterCode < 0) return [];
  return a.slice(afterCode).filter((x) => x.value !== null && !x.value.startsWith('-'));
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
  {
    id: 'write.tool-config-exec',
    pack: 'write',
    reason:
      'sets a package-manager key or install script that runs a program later (script-shell, node-options, postinstall, …); ask the user',
    commands: ['npm', 'pnpm', 'yarn', 'bun', 'jq'],
    match: (inv) => {
      const v = inv.args.map((a) => a.value ?? '');
      if (inv.name === 'jq') {
        // a jq program that sets a lifecycle script (`.scripts.postinstall = "…"`), wherever its output goes
        const m = v.map((x) => JQ_SETS_SCRIPT.exec(x)).find((x) => x && LIFECYCLE.test(x[1]!));
        return m ? `jq sets scripts.${m[1]}` : false;
      }
      // `npm pkg set scripts.postinstall=…`, `npm set-script prepare …`: a script npm runs by itself on install
      const pkg = v.indexOf('pkg');
      const lifecycle = (k: string) => LIFECYCLE.test(k.replace(/^scripts\./, '').split('=')[0]!);
      if (pkg !== -1 && v[pkg + 1] === 'set') {
        const k = v.slice(pkg + 2).find((x) => x.startsWith('scripts.') && lifecycle(x));
        if (k) return k.split('=')[0]!;
      }
      if (v[0] === 'set-script' && lifecycle(v[1] ?? '')) return `set-script ${v[1]}`;
      const at = v.findIndex((x) => x === 'set' || x === 'config');
      if (at === -1) return false;
      // `npm config set K V`, `npm set K V`, `npm config set K=V`, `yarn config set K V`
      const rest = v.slice(v[at] === 'config' ? at + 1 : at).filter((x) => !x.startsWith('-'));
      if (rest[0] !== 'set') return false;
      const key = (rest[1] ?? '').split('=')[0]!.replace(/^\/\/[^:]*:/, '');
      return TOOL_EXEC_KEY.test(key) ? key : false;
    },
  },
  {
    id: 'write.schedule',
    pack: 'write',
    reason:
      'schedules a command to run later outside your task, or removes the schedule (at, batch, timers, systemctl enable, linger, crontab -r); ask the user',
    commands: ['at', 'batch', 'systemd-run', 'systemctl', 'launchctl', 'loginctl', 'crontab'],
    match: (inv) => {
      const v = inv.args.map((a) => a.value ?? '');
      // lingering keeps a user's services (and their timers) running with no session open
      if (inv.name === 'loginctl') return v.includes('enable-linger') ? 'loginctl enable-linger' : false;
      if (inv.name === 'crontab') return v.some((x) => /^-[a-z]*r/.test(x)) ? 'crontab -r' : false;
      if (inv.name === 'at') return v.some((x) => /^-[lrdc]$|^-V$/.test(x)) ? false : 'at';
      if (inv.name === 'batch') return 'batch';
      if (inv.name === 'systemd-run')
        return v.some((x) =>
          /^--on-(?:calendar|active|boot|startup|unit-active|unit-inactive|clock-change|timezone-change)/.test(
            x,
          ),
        )
          ? 'systemd-run timer'
          : false;
      if (inv.name === 'systemctl')
        return v.includes('enable') || v.includes('link') ? `systemctl ${v.join(' ')}` : false;
      return v[0] === 'load' || v[0] === 'bootstrap' || v[0] === 'submit' ? `launchctl ${v[0]}` : false;
    },
  },
];
