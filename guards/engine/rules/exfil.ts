/**
 * Pack `exfil` (continued): secrets from the environment sent in a request (`curl -d "$AWS_SECRET_ACCESS_KEY"`, a
 * token in a URL or a DNS name), inline code that sends the whole environment, and recursive searches through
 * directories that hold credentials (`grep -r "PRIVATE KEY" ~`).
 */
import type { Part } from '../shell/ast.js';
import { NETWORK } from '../shell/commands.js';
import type { Arg, Invocation } from '../shell/invocation.js';
import { argPath, operands } from './args.js';
import { gitUrlRewrite, LOCAL_HOST, pushToNewPlace, socketSink, uploadSink } from './sinks.js';
import type { Rule, RuleContext } from './types.js';
import { ENV_WHOLE, onlyTested, SECRET_NAME } from './secret-print.js';

/** The service each well-known secret belongs to: sending it there in a header is how it is used. */
const SECRET_HOME: Array<[RegExp, RegExp]> = [
  [/^OPENAI/i, /(?:^|\.)openai\.com$/],
  [/^ANTHROPIC|^CLAUDE/i, /(?:^|\.)anthropic\.com$/],
  [/^(?:GITHUB|GH)_/i, /(?:^|\.)(?:github\.com|githubusercontent\.com)$/],
  [/^GITLAB/i, /(?:^|\.)gitlab\.com$/],
  [/^AWS/i, /(?:^|\.)amazonaws\.com$/],
  [/^(?:NPM|NODE_AUTH)/i, /(?:^|\.)npmjs\.(?:org|com)$/],
  [/^(?:HF|HUGGING)/i, /(?:^|\.)huggingface\.co$/],
  [/^(?:GOOGLE|GCP|GEMINI)/i, /(?:^|\.)googleapis\.com$/],
  [/^SLACK/i, /(?:^|\.)slack\.com$/],
  [/^STRIPE/i, /(?:^|\.)stripe\.com$/],
];
const HEADER_OPTS = new Set(['-H', '--header', '-u', '--user', '--oauth2-bearer', '--proxy-user', '-U']);
/** Commands that send their arguments somewhere: HTTP clients and name lookups (a DNS query is a request too). */
const RESOLVERS = new Set(['dig', 'nslookup', 'host', 'drill', 'ping', 'ping6', 'traceroute', 'whois']);

function secretParam(parts: Part[]): string | null {
  for (const p of parts) if (p.k === 'param' && SECRET_NAME.test(p.name)) return p.name;
  return null;
}

/** The host a request goes to, when an operand names one. */
function hostOf(inv: Invocation): string | null {
  for (const a of operands(inv, [...HEADER_OPTS, '-d', '--data', '-F', '-o', '-X', '-T', '-e', '-A'])) {
    const t = a.text;
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?(\[[^\]]+\]|[^/:?#\s$]+)/i.exec(t);
    if (m && /[.:]|localhost/i.test(m[1]!)) return m[1]!.toLowerCase();
  }
  return null;
}

/** Commands upstream or substituted whose arguments carry a secret (`echo $TOKEN | base64 | curl -d @-`). */
function secretFeeding(inv: Invocation): string | null {
  const seen = new Set<Invocation>();
  const walk = (i: Invocation, depth: number): string | null => {
    if (seen.has(i) || depth > 4) return null;
    seen.add(i);
    // `printenv KEY` / `env KEY`-style lookups name the secret as a literal
    if (i.name === 'printenv')
      for (const a of i.args) if (a.value !== null && SECRET_NAME.test(a.value)) return a.value;
    for (const a of i.args) {
      const s = secretParam(a.word.parts);
      if (s) return s;
    }
    for (const r of i.redirs)
      if (r.op === '<<<' && r.target) {
        const s = secretParam(r.target.parts);
        if (s) return s;
      }
    for (const u of [...i.upstream, ...i.subs]) {
      const s = walk(u, depth + 1);
      if (s) return s;
    }
    return null;
  };
  for (const u of [...inv.upstream, ...inv.subs]) {
    const s = walk(u, 0);
    if (s) return s;
  }
  return null;
}

function secretInRequest(inv: Invocation, ctx: RuleContext): string | false {
  const socket = socketSink(inv, ctx);
  const sender =
    (NETWORK.has(inv.name) && inv.name !== 'openssl') || RESOLVERS.has(inv.name) || socket || uploadSink(inv);
  if (!sender) return false;
  const host = socket ?? hostOf(inv);
  if (host && LOCAL_HOST.test(host)) return false;
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const a: Arg = args[i]!;
    const name = secretParam(a.word.parts);
    if (!name) continue;
    const opt = args[i - 1]?.value ?? '';
    const attached =
      /^(?:-H|--header=|-u|--user=)/.test(a.value ?? a.text) && !secretParam([a.word.parts[0]!]);
    if (HEADER_OPTS.has(opt) || attached) {
      // a credential in an auth header, sent to the service it belongs to (or to one we cannot tell), is its use
      const home = SECRET_HOME.find(([re]) => re.test(name));
      if (!home || (host !== null && home[1].test(host))) continue;
    }
    return `$${name} → ${host ?? inv.name}`;
  }
  for (const r of inv.redirs) {
    const name = r.op === '<<<' && r.target ? secretParam(r.target.parts) : null;
    if (name) return `$${name} → ${host ?? inv.name}`;
  }
  const fed = secretFeeding(inv);
  return fed ? `$${fed} → ${host ?? inv.name}` : false;
}

const NET_API =
  /\brequire\(\s*['"`](?:node:)?(?:https?|http2|net|tls|dgram|dns)['"`]\s*\)|\bfetch\s*\(|\bhttps?\.(?:request|get|post)\b|\baxios\b|\bXMLHttpRequest\b|\bWebSocket\b|\bnet\.(?:connect|createConnection)\b|\burllib\b|\brequests\.|\bhttp\.client\b|\bhttpx\b|\baiohttp\b|\bsocket\.|\bsmtplib\b|\bNet::HTTP\b|\bLWP\b|\bHTTP::Tiny\b|\bIO::Socket\b|\bTCPSocket\b|\bNet::HTTP\b|\bcurl_exec\b|\bfile_get_contents\s*\(\s*['"]https?:/;

/** A secret environment variable read by inline code: `process.env.GITHUB_TOKEN`, `os.environ['AWS_…']`, `ENV['…']`. */
const CODE_SECRET =
  /\bprocess\.env(?:\.|\[\s*['"`])([A-Za-z_][A-Za-z0-9_]*)|\b(?:os\.environ(?:\.get)?\s*[[(]|os\.getenv\s*\(|ENV(?:\.fetch)?\s*[[(]|\$ENV\{|getenv\s*\(|Deno\.env\.get\s*\()\s*['"]?([A-Za-z_][A-Za-z0-9_]*)/g;
const CODE_URL_HOST = /\b(?:https?|wss?):\/\/([^/'"`\s:?#]+)/gi;

/** Inline code that reads a secret variable and talks to the network somewhere other than the secret's service. */
function codeSendsSecret(code: string): string | false {
  if (!NET_API.test(code)) return false;
  const hosts = [...code.matchAll(CODE_URL_HOST)].map((m) => m[1]!.toLowerCase());
  for (const m of code.matchAll(CODE_SECRET)) {
    const name = m[1] ?? m[2]!;
    if (!SECRET_NAME.test(name)) continue;
    const home = SECRET_HOME.find(([re]) => re.test(name));
    const elsewhere = hosts.filter((h) => !LOCAL_HOST.test(h) && !(home && home[1].test(h)));
    // no URL literal at all: the destination is computed, so it could be anywhere
    if (hosts.length === 0 || elsewhere.length > 0) return `${name} → ${elsewhere[0] ?? 'a computed URL'}`;
  }
  return false;
}

/** Printing or saving: an output call of any of the inline languages. */
const CODE_OUTPUT =
  /\b(?:print|printf|puts|pp?|say|echo|warn|console\.\w+|print_r|var_dump|var_export|json_encode|fwrite|file_put_contents|writeFileSync|writeFile|File\.write|IO\.write|json\.dump|\$stdout|STDOUT|STDERR|sys\.stdout|io\.write)\b/;
/** Enumerating only the names of the environment (`Object.keys(process.env)`, `ENV.keys`), not its values. */
const ENV_NAMES_ONLY =
  /\bObject\.keys\(\s*process\.env\s*\)|\bENV\.keys\b|\bos\.environ\.keys\(\)|\barray_keys\(\s*getenv\(\s*\)\s*\)|\b(?:sorted|list|len|set|tuple)\(\s*os\.environ\s*\)|['"][A-Za-z_]\w*['"]\s+(?:not\s+)?in\s+(?:os\.environ|process\.env)\b(?!\s*[.[])/g;
/** A variable read by a computed name (`$ENV{$_}`, `ENV[k]`, `process.env[k]`): with a loop, every value. */
const ENV_BY_NAME =
  /\$ENV\{\s*\$|\bENV\[\s*[a-z_]\w*\s*\]|\bprocess\.env\[\s*[a-z_]\w*\s*\]|\bos\.environ\[\s*[a-z_]\w*\s*\]/;

const PERL_ENV = /\$ENV\{\s*['"]?([A-Za-z_]\w*)/g;

/** Inline code that prints or saves a secret variable or the whole environment (no network needed to leak it). */
function codePrintsSecret(inv: Invocation): string | false {
  const code = inv.code?.text;
  if (!code || !/env|ENV/.test(code)) return false;
  const printed = CODE_OUTPUT.test(code);
  // `node -p EXPR` prints EXPR: a secret when it is the whole expression, not `process.env.X ? 'set' : 'unset'`
  const printFlag = /^-(?:p|pe|-print)$/.test(inv.code!.flag);
  if (!printed && !printFlag) return false;
  if (!printed) {
    const m = /^\s*process\.env(?:\.|\[\s*['"`])([A-Za-z_]\w*)['"`\]\s]*;?\s*$/.exec(code);
    if (m && SECRET_NAME.test(m[1]!)) return m[1]!;
    return ENV_WHOLE.test(code.replace(ENV_NAMES_ONLY, '')) ? 'the whole environment' : false;
  }
  // a read inside a test of presence or length (`bool(os.getenv('X'))`) prints no value
  const read = (m: RegExpMatchArray, name: string) =>
    SECRET_NAME.test(name) && !onlyTested(code, m.index!, m.index! + m[0].length);
  for (const m of code.matchAll(CODE_SECRET)) {
    const name = m[1] ?? m[2]!;
    if (read(m, name)) return name;
  }
  for (const m of code.matchAll(PERL_ENV)) if (read(m, m[1]!)) return m[1]!;
  const values = code.replace(ENV_NAMES_ONLY, '');
  if (ENV_WHOLE.test(values) || ENV_BY_NAME.test(values)) return 'the whole environment';
  return false;
}

const SEARCHERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'ugrep', 'pt', 'sift']);
const GREP_WITH_ARG = [
  '-e',
  '-f',
  '-m',
  '-A',
  '-B',
  '-C',
  '--regexp',
  '--file',
  '--include',
  '--exclude',
  '--exclude-dir',
  '-d',
  '-D',
  '--max-count',
  '-g',
  '--glob',
  '-t',
  '--type',
  '-T',
  '--type-not',
  '-j',
  '--threads',
  '-M',
  '--max-columns',
  '-E',
  '--encoding',
];

/** Where a recursive search starts: its directory operands (rg/ag/ack default to the current directory). */
function searchRoots(inv: Invocation, ctx: RuleContext): Array<{ abs: string; text: string }> {
  const grepLike = inv.name === 'grep' || inv.name === 'egrep' || inv.name === 'fgrep';
  const recursive = grepLike
    ? inv.args.some((a) =>
        /^-[a-zA-Z]*[rR]|^--(?:recursive|dereference-recursive)$|^--directories=recurse$/.test(a.value ?? ''),
      )
    : true;
  if (!recursive) return [];
  const ops = operands(inv, GREP_WITH_ARG);
  const patternGiven = inv.args.some((a) => /^(?:-e|-f|--regexp|--file)(?:=|$)/.test(a.value ?? ''));
  const dirs = patternGiven ? ops : ops.slice(1);
  if (dirs.length === 0) return grepLike ? [] : [{ abs: ctx.cwd, text: '.' }];
  const out = [];
  for (const d of dirs) {
    const abs = argPath(d, ctx);
    if (abs !== null) out.push({ abs, text: d.text });
  }
  return out;
}

export const exfilRules: Rule[] = [
  {
    id: 'exfil.secret-env',
    pack: 'exfil',
    reason:
      'sends a secret from the environment (API key, token, password) in a request to somewhere it does not belong; never send secrets off',
    match: (inv, ctx) => secretInRequest(inv, ctx),
  },
  {
    id: 'exfil.code-env',
    pack: 'exfil',
    reason:
      'inline code sends the whole environment (API keys, tokens) over the network; send only the values that are needed',
    match: (inv) => {
      const code = inv.code?.text;
      if (!code || !ENV_WHOLE.test(code) || !NET_API.test(code)) return false;
      return `${inv.name} ${inv.code!.flag}`;
    },
  },
  {
    id: 'exfil.code-secret',
    pack: 'exfil',
    reason:
      'inline code sends a secret from the environment (API key, token) somewhere other than the service it belongs to; never send secrets off',
    match: (inv) => {
      const code = inv.code?.text;
      return code ? codeSendsSecret(code) : false;
    },
  },
  {
    id: 'exfil.code-print-secret',
    pack: 'exfil',
    reason:
      'inline code prints or saves a secret from the environment (API key, token) or the whole environment; use the value without showing it, or ask the user',
    match: (inv) => {
      const what = codePrintsSecret(inv);
      return what ? `${inv.name} ${inv.code!.flag}: ${what}` : false;
    },
  },
  {
    id: 'exfil.git-push-elsewhere',
    pack: 'exfil',
    reason:
      'pushes the repository to a URL or to a remote this command just added or re-pointed; push to the configured remotes, or ask the user',
    commands: ['git'],
    match: (inv, ctx) => pushToNewPlace(inv, ctx),
  },
  {
    id: 'exfil.git-url-rewrite',
    pack: 'exfil',
    reason:
      'rewrites git URLs of one host onto another (url.*.insteadOf), so later fetches and pushes go there; ask the user',
    commands: ['git'],
    match: (inv) => gitUrlRewrite(inv),
  },
  {
    id: 'cred.sensitive-search',
    pack: 'cred',
    reason:
      'searches recursively through a directory that holds credential files (keys, tokens); search a narrower directory',
    commands: [...SEARCHERS],
    match: (inv, ctx) => {
      for (const r of searchRoots(inv, ctx)) {
        const hit = ctx.sensitive.below(r.abs) ?? ctx.sensitive.match(r.abs);
        if (hit) return `${r.text} contains ${hit.entry}`;
      }
      return false;
    },
  },
];
