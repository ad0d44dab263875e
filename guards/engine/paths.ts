/**
 * Sensitive paths: where credentials live, and how a path written by an agent resolves (`~`, `$HOME`, relative to
 * the tool's cwd, `..`, `/proc/self/root`, and for file tools symlinks through the deepest existing ancestor).
 */
import { existsSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';

export interface PathContext {
  cwd: string;
  home: string;
}

/**
 * Built-in credential locations. `~/` entries match under the agent's home, `/root` and any `/home/<user>`.
 * A `*` matches within one path segment, `**` across segments. Entries without a `/` match a file's basename.
 */
export const BUILTIN_SENSITIVE: readonly string[] = [
  '~/.ssh',
  '~/.gnupg',
  '~/.aws',
  '~/.azure',
  '~/.config/gcloud',
  '~/.kube',
  '~/.docker/config.json',
  '~/.netrc',
  '~/.npmrc',
  '~/.pypirc',
  '~/.git-credentials',
  '~/.config/git/credentials',
  '~/.config/gh/hosts.yml',
  '~/.cargo/credentials',
  '~/.cargo/credentials.toml',
  '~/.terraform.d/credentials.tfrc.json',
  '~/.vault-token',
  '~/.pgpass',
  '~/.my.cnf',
  '~/.local/share/keyrings',
  '~/.password-store',
  '~/.claude/.credentials.json',
  '~/.codex/auth.json',
  '~/.gemini/oauth_creds.json',
  '~/.local/share/opencode/auth.json',
  '~/.pi/agent/auth.json',
  // red team 14: more tools' tokens
  '~/.config/hub',
  '~/.gem/credentials',
  '~/.config/rclone/rclone.conf',
  '~/.config/github-copilot',
  '~/.s3cfg',
  '~/.boto',
  '~/.config/doctl/config.yaml',
  '~/.config/configstore/firebase-tools.json',
  '~/.wrangler/config',
  '~/.config/.wrangler/config',
  '~/.config/heroku',
  '~/.netlify/config.json',
  '~/.config/netlify/config.json',
  '~/.vercel',
  '~/.local/share/com.vercel.cli',
  '~/.config/op',
  '~/.config/Bitwarden CLI',
  '~/.fly/config.yml',
  '~/.config/glab-cli/config.yml',
  '~/.mozilla/firefox/*/logins.json',
  '~/.mozilla/firefox/*/key4.db',
  '~/.config/google-chrome/*/Login Data',
  '~/.config/chromium/*/Login Data',
  '/proc/*/environ',
  '/proc/*/task/*/environ',
  '/etc/shadow',
  '/etc/gshadow',
  '/run/secrets',
  '/run/ags-secrets',
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'id_ecdsa_sk',
  'id_ed25519_sk',
];

/**
 * Public halves and host lists inside ~/.ssh are not secrets, so reading them is fine; writing them is not
 * (a new authorized key or known host is a way in, or a way to redirect).
 */
const SSH_PUBLIC = /\/\.ssh\/(?:[^/]+\.pub|known_hosts(?:\.old)?|authorized_keys)$/;

const DOTENV = /^\.env(?:\..+)?$/;
/** A template: one dot-segment after `.env` says so (`.env.example`, `.env.local.example`, `.env.example.bak`). */
const DOTENV_TEMPLATE =
  /^\.env(?:\.[^.]+)*\.(?:example|sample|template|dist|defaults|schema|tpl)(?:\.[^.]+)*$/i;

export type SensitiveKind = 'credential' | 'dotenv';

export interface SensitiveHit {
  kind: SensitiveKind;
  /** The entry that matched, as written in the list (`~/.ssh`, `/proc/*\/environ`, `.env`). */
  entry: string;
  path: string;
}

interface Compiled {
  entry: string;
  re: RegExp;
  /** For ancestor checks: the literal path of the entry (home-expanded), when it has no glob. */
  literal: string | null;
}

function globToRe(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

export class SensitivePaths {
  private readonly paths: Compiled[] = [];
  private readonly names: Compiled[] = [];
  /** Every entry in one regex each, a prefilter: most paths match none, and one test rejects them. */
  private readonly anyPath: RegExp;
  private readonly anyName: RegExp;
  /** Paths known to match nothing (rules ask about the same few paths many times per call); bounded. */
  private readonly clean = [new Set<string>(), new Set<string>()];
  /** True when the policy added bare-name entries, so every word must be checked, not only path-like ones. */
  readonly hasNamePatterns: boolean;

  constructor(
    readonly home: string,
    extra: readonly string[] = [],
  ) {
    const homes = `(?:${globToRe(home.replace(/\/+$/, ''))}|/root|/home/[^/]+)`;
    this.hasNamePatterns = extra.some((e) => !e.includes('/'));
    for (const entry of [...BUILTIN_SENSITIVE, ...extra]) {
      const e = entry.trim().replace(/\/+$/, '');
      if (!e) continue;
      if (!e.includes('/')) {
        this.names.push({ entry, re: new RegExp(`^${globToRe(e)}$`), literal: null });
      } else if (e.startsWith('~/')) {
        const rest = posix.normalize(e.slice(1));
        this.paths.push({
          entry,
          re: new RegExp(`^${homes}${globToRe(rest)}(?:/.*)?$`),
          literal: /[*?]/.test(rest) ? null : posix.join(home, rest),
        });
      } else if (e.startsWith('/')) {
        const abs = posix.normalize(e);
        this.paths.push({
          entry,
          re: new RegExp(`^${globToRe(abs)}(?:/.*)?$`),
          literal: /[*?]/.test(abs) ? abs.slice(0, abs.search(/[*?]/)).replace(/\/[^/]*$/, '') || '/' : abs,
        });
      }
    }
    const anyOf = (cs: Compiled[]) =>
      cs.length === 0 ? /$^/ : new RegExp(cs.map((c) => `(?:${c.re.source})`).join('|'));
    this.anyPath = anyOf(this.paths);
    this.anyName = anyOf(this.names);
  }

  /** The sensitive entry an absolute, normalized path falls under, or null. */
  match(abs: string, forWrite = false): SensitiveHit | null {
    const clean = this.clean[forWrite ? 1 : 0]!;
    if (clean.has(abs)) return null;
    const hit = this.find(abs, forWrite);
    if (hit === null) {
      if (clean.size >= 1024) clean.clear();
      clean.add(abs);
    }
    return hit;
  }

  private find(abs: string, forWrite: boolean): SensitiveHit | null {
    if (this.anyPath.test(abs))
      for (const c of this.paths) {
        if (c.re.test(abs)) {
          if (!forWrite && c.entry === '~/.ssh' && SSH_PUBLIC.test(abs)) continue;
          return { kind: 'credential', entry: c.entry, path: abs };
        }
      }
    const base = abs.slice(abs.lastIndexOf('/') + 1);
    if (DOTENV.test(base) && !DOTENV_TEMPLATE.test(base)) return { kind: 'dotenv', entry: '.env', path: abs };
    if (this.anyName.test(base))
      for (const c of this.names) {
        if (c.re.test(base)) return { kind: 'credential', entry: c.entry, path: abs };
      }
    return null;
  }

  /** A sensitive location below directory `dir` (so a recursive search from `dir` would read it), or null. */
  below(dir: string): SensitiveHit | null {
    const d = dir === '/' ? '/' : dir.replace(/\/+$/, '') + '/';
    for (const c of this.paths) {
      if (c.literal && c.literal.startsWith(d))
        return { kind: 'credential', entry: c.entry, path: c.literal };
    }
    return null;
  }
}

/**
 * Files that run code later, outside the task: agent settings and hooks, git hooks and config, shell startup files,
 * the user's git config, autostart and user units, cron and sudoers. The file tools and every way a shell writes
 * (redirections, tee, cp/mv/install/ln, sed -i, dd, crontab, inline code) are checked against this one list.
 */
const RUNS_LATER_IN_TREE =
  /(?:^|\/)(?:\.claude\/settings(?:\.local)?\.json$|\.claude\/hooks(?:\/|$)|\.codex\/(?:config\.toml|hooks\.json)$|\.gemini\/settings\.json$|\.config\/opencode\/(?:opencode\.jsonc?$|plugins?(?:\/|$))|\.opencode\/plugins?(?:\/|$)|\.pi\/agent\/(?:extensions(?:\/|$)|settings\.json$)|\.pi\/extensions(?:\/|$)|\.mcp\.json$|\.git\/hooks(?:\/|$)|\.git\/config$|\.dcg\.toml$|\.ags(?:\/|$)|\.vscode\/(?:tasks|settings|launch)\.json$|\.envrc$|\.devcontainer(?:\/[^/]+)?\/devcontainer\.json$|\.devcontainer\.json$|\.husky\/[^/]+$|\.[^/]+\/mcp(?:_config)?\.json$|\.yarnrc\.yml$|\.pnpmfile\.c?js$|\.npmrc$|(?:site|dist)-packages\/[^/]+\.pth$|(?:usercustomize|sitecustomize)\.py$)/;
const RUNS_LATER_IN_HOME =
  /^(?:\/root|\/home\/[^/]+)\/(?:\.bashrc|\.bash_profile|\.bash_login|\.bash_logout|\.profile|\.zshrc|\.zshenv|\.zprofile|\.zlogin|\.zlogout|\.kshrc|\.mkshrc|\.xprofile|\.xinitrc|\.pam_environment|\.gitconfig|\.config\/git\/config|\.ssh\/rc|\.config\/fish\/(?:config\.fish|conf\.d(?:\/.*)?)|\.config\/autostart(?:\/.*)?|\.config\/systemd\/user(?:\/.*)?|\.config\/environment\.d(?:\/.*)?|\.bash_aliases|\.vimrc|\.gvimrc|\.exrc|\.vim\/(?:plugin|autoload|ftplugin)(?:\/.*)?|\.config\/nvim\/(?:init\.(?:vim|lua)|plugin(?:\/.*)?|lua(?:\/.*)?)|\.tmux\.conf|\.config\/tmux\/tmux\.conf|\.irbrc|\.pryrc|\.psqlrc|\.pythonrc(?:\.py)?|\.yarnrc|\.direnvrc|\.config\/direnv\/direnvrc|\.xsession|\.xsessionrc|\.claude\.json|\.config\/ags(?:\/.*)?|\.ipython\/profile_[^/]+\/(?:startup(?:\/.*)?|ipython_(?:kernel_)?config\.py)|\.jupyter\/jupyter_[a-z_]*config\.py|\.gdbinit|\.config\/gdb\/gdbinit|\.lldbinit|\.sqliterc|\.Rprofile|\.octaverc|\.perldb|\.npmrc|\.gradle\/(?:gradle\.properties|init\.d(?:\/.*)?|init\.gradle(?:\.kts)?)|\.m2\/settings\.xml|\.cargo\/config(?:\.toml)?|\.inputrc|\.config\/readline\/inputrc|\.config\/pip\/pip\.conf|\.pip\/pip\.conf|\.config\/mise\/config\.toml|\.emacs|\.emacs\.d\/(?:init|early-init)\.el|\.config\/emacs\/(?:init|early-init)\.el|\.screenrc|\.config\/plasma-workspace\/env(?:\/.*)?|\.config\/starship\.toml|\.config\/Code\/User\/settings\.json|\.config\/Code\/User\/tasks\.json)$/;
/** A program placed on PATH shadows the real one the next time anything runs it (`~/.local/bin/git`). */
const ON_PATH = /^(?:(?:\/root|\/home\/[^/]+)\/(?:\.local\/)?bin|\/(?:usr\/(?:local\/)?)?s?bin)\/[^/]+$/;
const RUNS_LATER_SYSTEM =
  /^\/(?:etc\/(?:profile|profile\.d(?:\/.*)?|bash\.bashrc|bashrc|zsh\/.*|environment|sudoers|sudoers\.d(?:\/.*)?|cron[^/]*(?:\/.*)?|ld\.so\.preload|rc\.local|systemd\/.*|init\.d\/.*)|var\/spool\/cron(?:\/.*)?)$/;

/** The kind of code-running file an absolute path is, or null. */
export function runsLater(abs: string, home: string): string | null {
  const inHome = abs.startsWith(home + '/') ? '/home/_' + abs.slice(home.length) : abs;
  if (RUNS_LATER_IN_HOME.test(inHome)) return 'shell startup or user config';
  if (RUNS_LATER_SYSTEM.test(abs)) return 'system startup, cron or sudoers';
  if (RUNS_LATER_IN_TREE.test(abs)) return 'agent, git or editor hook/config';
  if (ON_PATH.test(inHome)) return 'a program on PATH';
  return null;
}

/** git's own state, which git commands keep consistent: written by hand it loses or fakes history. */
const GIT_STATE =
  /\/\.git\/(?:HEAD|ORIG_HEAD|FETCH_HEAD|MERGE_HEAD|index|packed-refs|shallow|refs(?:\/.*)?|objects(?:\/.*)?|logs(?:\/.*)?|info\/grafts)$/;
/** Shell and REPL history files: rewriting one hides what ran. */
const HISTORY =
  /^(?:\/root|\/home\/[^/]+)\/(?:\.bash_history|\.zsh_history|\.zhistory|\.histfile|\.sh_history|\.ash_history|\.python_history|\.node_repl_history|\.psql_history|\.mysql_history|\.sqlite_history|\.irb_history|\.lesshst|\.local\/share\/fish\/fish_history)$/;

/** What kind of state file a write to `abs` would tamper with, or null. */
export function stateFile(abs: string): string | null {
  if (GIT_STATE.test(abs)) return 'git internals';
  if (HISTORY.test(abs)) return 'shell history';
  return null;
}

/** `$HOME`, `${HOME}`, `~` and `~user` at the start of a path, expanded. */
export function expandHome(p: string, home: string): string {
  if (p === '~' || p.startsWith('~/')) return home + p.slice(1);
  const m = /^\$(?:HOME|\{HOME\})(?=\/|$)/.exec(p);
  if (m) return home + p.slice(m[0].length);
  const u = /^~([a-z_][a-z0-9_-]*)(?=\/|$)/.exec(p);
  if (u) return (u[1] === 'root' ? '/root' : `/home/${u[1]}`) + p.slice(u[0].length);
  return p;
}

/** Resolves a path the way a tool would, without touching the file system. */
export function resolveLexical(p: string, ctx: PathContext): string {
  // `~+` is $PWD
  const expanded = p === '~+' || p.startsWith('~+/') ? ctx.cwd + p.slice(2) : expandHome(p, ctx.home);
  const abs = joinNormal(ctx.cwd, expanded) ?? posix.resolve(ctx.cwd, expanded);
  return stripProcAliases(abs, ctx.cwd);
}

/** No empty, `.` or `..` segment (so no `//`, no trailing `/`): `posix.resolve` would leave such a path as it is. */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)|^\.\.?(?:\/|$)|\/$/;

/** `posix.resolve(cwd, p)` for the usual paths that need no normalizing (a hot path); null for the others. */
function joinNormal(cwd: string, p: string): string | null {
  if (p === '/') return p;
  if (p === '.') p = '';
  // `./x` and `x/` (the usual spellings of a relative path or a directory) name x
  while (p.startsWith('./')) {
    p = p.slice(2);
    while (p.startsWith('/')) p = p.slice(1);
  }
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') return cwd.charCodeAt(0) === 47 && (cwd === '/' || !NOT_NORMAL.test(cwd)) ? cwd : null;
  if (NOT_NORMAL.test(p)) return null;
  if (p.charCodeAt(0) === 47) return p;
  if (cwd.charCodeAt(0) !== 47 || NOT_NORMAL.test(cwd)) return cwd === '/' ? '/' + p : null;
  return cwd + '/' + p;
}

/** `/proc/self/root/x` is `/x`; `/proc/self/cwd/x` is `<cwd>/x`. */
export function stripProcAliases(abs: string, cwd: string): string {
  if (!abs.startsWith('/proc/')) return abs;
  const m = /^\/proc\/(?:self|thread-self|\d+)\/(root|cwd)(?=\/|$)/.exec(abs);
  if (!m) return abs;
  const rest = abs.slice(m[0].length) || '/';
  return m[1] === 'root' ? posix.resolve('/', '.' + rest) : posix.resolve(cwd, '.' + rest);
}

/** Follows symlinks through the deepest existing ancestor of `abs` (the rest of the path is appended as is). */
export function resolveReal(abs: string, realpath: (p: string) => string = realpathSync.native): string {
  // a missing path (a file about to be written) makes realpath throw, and an error costs far more than asking
  // first whether the path is there; an injected realpath is asked directly
  const probe = realpath === realpathSync.native ? existsSync : null;
  let head = abs;
  const tail: string[] = [];
  for (let i = 0; i < 64; i++) {
    let real: string | null = null;
    if (probe === null || probe(head)) {
      try {
        real = realpath(head);
      } catch {
        real = null;
      }
    }
    if (real !== null) return tail.length > 0 ? posix.join(real, ...tail.reverse()) : real;
    if (head === '/' || head === '') return abs;
    tail.push(posix.basename(head));
    head = posix.dirname(head);
  }
  return abs;
}

/** True when `p` is `dir` or inside it. */
export function isWithin(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : dir + '/');
}
