/**
 * A reader of git's config file syntax, enough to list every key a file sets without running git: ags reads the
 * repository's config before and after a run, and git itself must never be started on a config the agent could
 * have written (git runs `core.fsmonitor` on the commands that read the index, and a planted `include.path` could
 * make even `git config` read a FIFO). Pure: text in, entries out.
 *
 * Keys come out as git names them: section and variable lowercased, a quoted subsection kept as written
 * (`diff.Foo.textconv`), an old-style `[section.sub]` subsection lowercased. A key without `=` is git's boolean
 * true (value null). Lines git would reject are skipped, not guessed at: such a file makes git fail anyway.
 */
export interface ConfigEntry {
  key: string;
  value: string | null;
}

const SECTION = /^[A-Za-z0-9.-]+$/;
const VARIABLE = /^[A-Za-z][A-Za-z0-9-]*/;

/** Parses `[section]`, `[section "sub"]` or `[section.sub]` at `text[at]` ('['); returns the prefix and end. */
function parseHeader(text: string, at: number): { prefix: string; end: number } | null {
  let i = at + 1;
  let name = '';
  while (i < text.length && /[A-Za-z0-9.-]/.test(text[i]!)) name += text[i++];
  if (!SECTION.test(name)) return null;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] === ']') return { prefix: name.toLowerCase(), end: i + 1 };
  if (text[i] !== '"' || name.includes('.')) return null;
  i++;
  let sub = '';
  for (;;) {
    const c = text[i];
    if (c === undefined || c === '\n') return null;
    if (c === '"') break;
    if (c === '\\' && text[i + 1] !== undefined && text[i + 1] !== '\n') {
      sub += text[i + 1];
      i += 2;
      continue;
    }
    sub += c;
    i++;
  }
  i++;
  if (text[i] !== ']') return null;
  return { prefix: `${name.toLowerCase()}.${sub}`, end: i + 1 };
}

/** Reads a value from `text[at]` to the end of its (possibly continued) line, as git unquotes it. */
function parseValue(text: string, at: number): { value: string; end: number } {
  let i = at;
  let out = '';
  let pendingSpace = '';
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') break;
    if (!quoted && (c === ';' || c === '#')) {
      while (i < text.length && text[i] !== '\n') i++;
      break;
    }
    if (c === '\\') {
      const n = text[i + 1];
      i++;
      if (n === '\n') continue; // a continued line
      if (n === '\r' && text[i + 1] === '\n') {
        i++;
        continue;
      }
      const escaped = n === 'n' ? '\n' : n === 't' ? '\t' : n === 'b' ? '\b' : n;
      if (escaped === undefined) break;
      out += pendingSpace + escaped;
      pendingSpace = '';
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      out += pendingSpace;
      pendingSpace = '';
      continue;
    }
    if (!quoted && (c === ' ' || c === '\t' || c === '\r')) {
      // inner whitespace is kept (once something follows), leading and trailing whitespace is not
      if (out !== '') pendingSpace += c === '\r' ? '' : c;
      continue;
    }
    out += pendingSpace + c;
    pendingSpace = '';
  }
  return { value: out, end: i };
}

export function parseGitConfig(text: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  let prefix: string | null = null;
  let i = 0;
  const skipLine = () => {
    while (i < text.length && text[i] !== '\n') i++;
    i++;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c === '#' || c === ';') {
      skipLine();
      continue;
    }
    if (c === '[') {
      const h = parseHeader(text, i);
      if (h === null) {
        prefix = null; // a header git rejects: ignore what follows it rather than misfile it
        skipLine();
        continue;
      }
      prefix = h.prefix;
      i = h.end;
      continue;
    }
    const m = VARIABLE.exec(text.slice(i, i + 256));
    if (m === null || prefix === null) {
      skipLine();
      continue;
    }
    const key = `${prefix}.${m[0].toLowerCase()}`;
    i += m[0].length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '=') {
      const v = parseValue(text, i + 1);
      entries.push({ key, value: v.value });
      i = v.end;
    } else {
      entries.push({ key, value: null });
      if (text[i] !== '\n' && text[i] !== ';' && text[i] !== '#' && text[i] !== '\r' && i < text.length)
        entries.pop(); // `key junk`: git rejects the line
      skipLine();
    }
  }
  return entries;
}

/** Splits `diff.foo.bar.textconv` into section, subsection and variable (`diff`, `foo.bar`, `textconv`). */
function splitKey(key: string): { section: string; sub: string | null; variable: string } {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  return {
    section: key.slice(0, first),
    sub: first === last ? null : key.slice(first + 1, last),
    variable: key.slice(last + 1),
  };
}

/** Keys git itself (or a command it starts) runs as a program, with no subsection. */
const PROGRAM_KEYS = new Set([
  'core.fsmonitor',
  'core.hookspath',
  'core.sshcommand',
  'core.pager',
  'core.editor',
  'core.askpass',
  'core.gitproxy',
  'core.alternaterefscommand',
  'core.worktree',
  'sequence.editor',
  'diff.external',
  'diff.tool',
  'diff.guitool',
  'merge.tool',
  'merge.guitool',
  'credential.helper',
  'gpg.program',
  'uploadpack.packobjectshook',
  'interactive.difffilter',
  'include.path',
  'imap.tunnel',
  'web.browser',
  'man.viewer',
  'instaweb.httpd',
  'protocol.allow',
  'ssh.variant',
  'extensions.worktreeconfig',
  'sendemail.smtpserver',
  'sendemail.tocmd',
  'sendemail.cccmd',
  'sendemail.sendmailcmd',
  'gui.editor',
]);

/** Keys `<section>.<any subsection>.<variable>` that name a program (or, for include/protocol, decide one). */
const PROGRAM_SUBKEYS: Record<string, (variable: string) => boolean> = {
  filter: () => true,
  diff: (v) => v === 'textconv' || v === 'command',
  merge: (v) => v === 'driver',
  credential: (v) => v === 'helper',
  gpg: (v) => v === 'program' || v === 'defaultkeycommand',
  includeif: (v) => v === 'path',
  pager: () => true,
  difftool: (v) => v === 'cmd' || v === 'path',
  mergetool: (v) => v === 'cmd' || v === 'path',
  browser: (v) => v === 'cmd' || v === 'path',
  man: (v) => v === 'cmd' || v === 'path',
  remote: (v) => v === 'uploadpack' || v === 'receivepack' || v === 'vcs',
  protocol: (v) => v === 'allow',
  hook: () => true,
  trailer: (v) => v === 'command' || v === 'cmd',
  guitool: (v) => v === 'cmd',
  lfs: (v) => v === 'path' || v === 'clean' || v === 'smudge',
};

/**
 * Whether git (or a tool it starts) may run a program because of this key: hook, pager, editor, ssh, filter
 * and diff drivers, helpers, `!` aliases and `!` submodule updates, and the keys that pull in other config
 * (`include.path`, `includeIf.*.path`) or enable what would (`extensions.worktreeConfig`, `protocol.*.allow`).
 */
export function isExecutableKey(key: string, value: string | null): boolean {
  const { section, sub, variable } = splitKey(key);
  if (section === 'alias') return value !== null && value.trimStart().startsWith('!');
  if (section === 'submodule' && variable === 'update')
    return value !== null && value.trimStart().startsWith('!');
  if (sub === null) return PROGRAM_KEYS.has(key) || (section === 'pager' && variable !== '');
  if (section === 'pager') return true;
  return PROGRAM_SUBKEYS[section]?.(variable) ?? false;
}
