/**
 * The guard's entry: one tool call in, one verdict out. Shell commands are parsed, normalized and matched against
 * the rule packs; file tool paths are resolved and checked against the sensitive paths. Every decision runs under
 * a budget; past a limit or on a parse problem it blocks; on an internal error or unreadable policy it fails open
 * (allow, with a warning) normally and closed (block) in lockdown.
 */
import { Budget, LimitError, type Limits } from './budget.js';
import { fallbackScan } from './fallback.js';
import { isSystemFile } from './rules/machine.js';
import { currentBranch } from './git-head.js';
import { isWithin, resolveLexical, resolveReal, runsLater, SensitivePaths, stateFile } from './paths.js';
import { DEFAULT_POLICY, type Policy } from './policy.js';
import { BUILTIN_RULES, DYNAMIC_CANDIDATES, META_RULES, type Rule, type RuleContext } from './rules/index.js';
import { computedTarget } from './rules/filesystem.js';
import { symlinksMade } from './rules/args.js';
import { downloadedFiles } from './rules/remote-code.js';
import type { Invocation, WalkContext } from './shell/invocation.js';
import { walkScript } from './shell/normalize.js';
import { parseShell } from './shell/parser.js';
import type { ToolCall } from './tools.js';

export type Decision = 'allow' | 'block';
export type Failure = 'limit' | 'parse' | 'internal' | 'policy' | 'input';

export interface Verdict {
  decision: Decision;
  /** The rule that blocked (or, for a fail-open, the guard.* id of the problem). */
  rule?: string;
  pack?: string;
  reason?: string;
  /** What matched: the argument, path or branch. */
  detail?: string;
  /** The one line shown to the agent when blocked. */
  message?: string;
  /** Problems that did not block (fail-open); the hook prints them on stderr. */
  warnings: string[];
  /** Set when the guard could not do its job (limits, parse, internal error, policy, input). */
  failure?: Failure;
}

export interface DecideOptions {
  policy?: Policy;
  /** Lockdown: fail closed. Also switched on by `policy.lockdown`. */
  lockdown?: boolean;
  home?: string;
  /** The workspace root; defaults to the call's cwd. */
  workspace?: string;
  limits?: Partial<Limits>;
  /** Symlink resolution for file tools (tests inject a fake). */
  realpath?: (p: string) => string;
  /** Current branch lookup for `git push --force` without a refspec. */
  gitBranch?: (cwd: string) => string | null;
}

export interface Hit {
  rule: string;
  pack: string;
  reason: string;
  detail?: string;
  invocation?: Invocation;
}

export interface ShellAnalysis {
  invocations: Invocation[];
  hits: Hit[];
  warnings: string[];
  /** Allowed but worth a look (a delete of a path computed at run time): shown on stderr, never blocking. */
  notes: string[];
}

interface Compiled {
  sensitive: SensitivePaths;
  allowIds: Set<string>;
  allowCommands: Set<string>;
  extra: Array<{ id: string; re: RegExp; reason: string }>;
}

/** Go-flag CLIs whose `-help` prints help and runs nothing (elsewhere `-help` may be bundled short options). */
const SINGLE_DASH_HELP = new Set(['terraform', 'tofu', 'terragrunt', 'packer', 'vault', 'consul', 'nomad']);

/** Commands whose computed operands earn a note when allowed (the ask-level reason for the user). */
const COMPUTED_NOTE = new Set(['rm', 'shred', 'unlink', 'rmdir', 'chmod', 'chown', 'truncate', 'mv', 'find']);

const compiledCache = new WeakMap<Policy, Map<string, Compiled>>();

function compile(policy: Policy, home: string): Compiled {
  let byHome = compiledCache.get(policy);
  if (!byHome) compiledCache.set(policy, (byHome = new Map()));
  let c = byHome.get(home);
  if (!c) {
    c = {
      sensitive: new SensitivePaths(home, policy.sensitivePaths),
      allowIds: new Set(policy.allow),
      allowCommands: new Set(policy.allow.map((a) => a.trim())),
      extra: policy.extraRules.map((r) => ({ id: r.id, re: new RegExp(r.pattern), reason: r.reason })),
    };
    byHome.set(home, c);
  }
  return c;
}

/**
 * The rules as the matching loop reads them: every one the same shape (the rule packs write their objects with
 * and without `commands`, in different key orders), so reading `match` off them stays a monomorphic load.
 */
type Matcher = Pick<Rule, 'id' | 'pack' | 'reason' | 'match'> & { order: number };
const byCommand = new Map<string, Matcher[]>();
const generic: Matcher[] = [];
BUILTIN_RULES.forEach((r, order) => {
  const m: Matcher = { id: r.id, pack: r.pack, reason: r.reason, match: r.match, order };
  if (!r.commands) generic.push(m);
  else for (const c of r.commands) byCommand.set(c, [...(byCommand.get(c) ?? []), m]);
});
const ruleOrder = new Map<string, number>(BUILTIN_RULES.map((r, i) => [r.id, i]));
/** Where a hit sorts: the built-in rules in pack order, then everything else (meta and policy rules). */
const LAST = 1e6;
const orderOf = (id: string) => ruleOrder.get(id) ?? LAST;

const candidateCache = new Map<string, Matcher[]>();

function candidates(name: string): Matcher[] {
  const cached = candidateCache.get(name);
  if (cached) return cached;
  const specific = byCommand.get(name);
  // keep pack priority order
  const list = specific ? [...generic, ...specific].sort((a, b) => a.order - b.order) : generic;
  // names come from the input, so the cache is bounded
  if (candidateCache.size >= 4096) candidateCache.clear();
  candidateCache.set(name, list);
  return list;
}

export function formatBlock(rule: string, reason: string, detail?: string): string {
  return `blocked by ags guard (${rule}): ${reason}${detail ? ` [${detail}]` : ''}`;
}

function block(hit: Hit, warnings: string[], failure?: Failure): Verdict {
  const message = formatBlock(hit.rule, hit.reason, hit.detail);
  // built key by key, in the order the verdict has always had (its JSON is compared and printed)
  const v: Verdict = { decision: 'block', rule: hit.rule, pack: hit.pack, reason: hit.reason } as Verdict;
  if (hit.detail) v.detail = hit.detail;
  v.message = message;
  v.warnings = warnings;
  if (failure) v.failure = failure;
  return v;
}

/** A guard failure: allow with a warning normally, block in lockdown. */
export function failVerdict(
  failure: Failure,
  problem: string,
  lockdown: boolean,
  extra: string[] = [],
): Verdict {
  const id = `guard.${failure}`;
  // An internal error is something the input did to the guard (a hostile agent found 2 000 nested `{` overflowed
  // the stack): allowing it would let that input through unread, so it blocks in every mode.
  if (failure === 'internal' && !lockdown) {
    return block(
      {
        rule: id,
        pack: 'guard',
        reason: `the guard failed on this command (${problem}), so it is not run; simplify it or split it up`,
      },
      extra,
      failure,
    );
  }
  if (lockdown) {
    return block(
      {
        rule: id,
        pack: 'guard',
        reason: `lockdown: ${problem}; the guard fails closed, so simplify the command or split it up`,
      },
      extra,
      failure,
    );
  }
  return {
    decision: 'allow',
    rule: id,
    failure,
    warnings: [...extra, `ags guard: ${problem}; allowed without a full check (fail-open)`],
  };
}

function ruleContext(
  cwd: string,
  home: string,
  workspace: string,
  lockdown: boolean,
  sensitive: SensitivePaths,
  opts: DecideOptions,
  script: readonly Invocation[],
): RuleContext {
  let branch: string | null | undefined;
  const lookup = opts.gitBranch ?? currentBranch;
  return {
    cwd,
    startCwd: cwd,
    home,
    workspace,
    lockdown,
    sensitive,
    gitBranch: () => (branch === undefined ? (branch = lookup(cwd)) : branch),
    script,
  };
}

/**
 * Parses and matches a shell command; throws LimitError past a limit. Used by `decide` and `ags guard explain`.
 * `firstHit`: only the hit the verdict takes is wanted — the first in rule order whose rule the policy does not
 * allow — so rules that sort after the best hit so far are not run, and `hits` holds that one hit (or none).
 */
export function analyzeShell(
  command: string,
  cwd: string,
  opts: DecideOptions = {},
  budget = new Budget(opts.limits),
  firstHit = false,
): ShellAnalysis {
  const policy = opts.policy ?? DEFAULT_POLICY;
  const lockdown = opts.lockdown === true || policy.lockdown;
  const home = opts.home ?? process.env.HOME ?? '/root';
  const workspace = opts.workspace ?? cwd;
  const c = compile(policy, home);
  const { script, warnings } = parseShell(command, budget);
  const wctx: WalkContext = { budget, warnings, out: [], cwd, home, workspace };
  walkScript(script, wctx, 0, []);
  const hits: Hit[] = [];
  const base = ruleContext(cwd, home, workspace, lockdown, c.sensitive, opts, wctx.out);
  // what the command links and downloads, once per call, for the rules that follow a path to it
  if (wctx.out.some((i) => i.name === 'ln')) base.links = symlinksMade(wctx.out, base);
  const downloads = downloadedFiles(wctx.out);
  if (downloads) base.downloads = downloads;
  // with firstHit: the order of the best hit so far; a rule sorting at or after it cannot change the verdict (the
  // sort below is stable, so of two hits of one rule the earlier one is taken)
  let bound = Infinity;
  const allowed = firstHit ? c.allowIds : null;
  const take = (hit: Hit, order: number) => {
    if (allowed === null) hits.push(hit);
    else if (!allowed.has(hit.rule)) {
      hits[0] = hit;
      bound = order;
    }
  };
  for (const inv of wctx.out) {
    budget.tick();
    const ctx = inv.cwd === cwd ? base : { ...base, cwd: inv.cwd };
    if (inv.dynamic && LAST < bound) {
      const dyn = dynamicHit(inv, ctx);
      if (dyn) take(dyn, LAST);
    }
    // `cmd … --help` prints help and runs nothing: only the generic (credential, exec) rules apply
    const help = inv.args.some(
      (x) => x.value === '--help' || (x.value === '-help' && SINGLE_DASH_HELP.has(inv.name)),
    );
    for (const r of inv.dynamic || help ? generic : candidates(inv.name)) {
      if (r.order >= bound) break;
      if (allowed !== null && allowed.has(r.id)) continue;
      const m = r.match(inv, ctx);
      if (m) {
        const hit: Hit = { rule: r.id, pack: r.pack, reason: r.reason };
        if (typeof m === 'string') hit.detail = m;
        hit.invocation = inv;
        take(hit, r.order);
      }
    }
    if (c.extra.length > 0) {
      let canon: string | null = null;
      for (const x of c.extra) {
        const order = orderOf(x.id);
        if (order >= bound) continue;
        canon ??= [inv.name || inv.display.split(' ')[0], ...inv.args.map((a) => a.value ?? a.text)].join(
          ' ',
        );
        if (x.re.test(canon))
          take(
            {
              rule: x.id,
              pack: 'policy',
              reason: x.reason,
              detail: canon.slice(0, 120),
              invocation: inv,
            },
            order,
          );
      }
    }
  }
  if (hits.length > 1) hits.sort((a, b) => orderOf(a.rule) - orderOf(b.rule));
  const notes: string[] = [];
  for (const inv of wctx.out) {
    if (!COMPUTED_NOTE.has(inv.name) || notes.length >= 3) continue;
    const a = inv.args.find(computedTarget);
    if (a) notes.push(`ags guard: ${inv.name} acts on ${a.text}, computed at run time; it could be any path`);
  }
  return { invocations: wctx.out, hits, warnings, notes };
}

/** `$CMD -rf /`: a computed name is checked as each destructive command it could be. */
function dynamicHit(inv: Invocation, ctx: RuleContext): Hit | null {
  for (const name of DYNAMIC_CANDIDATES) {
    const shadow: Invocation = { ...inv, name, dynamic: false };
    for (const r of byCommand.get(name) ?? []) {
      const m = r.match(shadow, ctx);
      if (m) {
        const meta = META_RULES['shell.dynamic-command']!;
        return {
          rule: 'shell.dynamic-command',
          pack: meta.pack,
          reason: meta.reason,
          detail: `${inv.display.slice(0, 80)} would match ${r.id} as ${name}`,
          invocation: inv,
        };
      }
    }
  }
  if (ctx.lockdown) {
    const meta = META_RULES['shell.dynamic-command-lockdown']!;
    return {
      rule: 'shell.dynamic-command-lockdown',
      pack: meta.pack,
      reason: meta.reason,
      detail: inv.display.slice(0, 80),
      invocation: inv,
    };
  }
  return null;
}

function meta(id: string, detail?: string): Hit {
  const m = META_RULES[id]!;
  return { rule: id, pack: m.pack, reason: m.reason, ...(detail ? { detail } : {}) };
}

function decideFile(
  call: Extract<ToolCall, { kind: 'file' }>,
  opts: DecideOptions,
  c: Compiled,
  home: string,
): Hit[] {
  const hits: Hit[] = [];
  const ctx = { cwd: call.cwd, home };
  for (const p of call.paths) {
    const lexical = resolveLexical(p, ctx);
    const globAt = lexical.search(/[*?[{]/);
    const staticPart = globAt === -1 ? lexical : lexical.slice(0, lexical.lastIndexOf('/', globAt)) || '/';
    const real = resolveReal(staticPart, opts.realpath);
    const candidatesP = real === staticPart ? [staticPart] : [staticPart, real];
    for (const abs of candidatesP) {
      const hit = c.sensitive.match(abs, call.op === 'write');
      if (hit) {
        const id =
          hit.kind === 'dotenv'
            ? 'path.dotenv'
            : call.op === 'write'
              ? 'path.sensitive-write'
              : 'path.sensitive-read';
        hits.push(meta(id, `${hit.entry}: ${p}${abs !== lexical ? ` → ${abs}` : ''}`));
        break;
      }
      if (call.op === 'search') {
        const below = c.sensitive.below(abs);
        if (below) {
          hits.push(meta('path.sensitive-search', `${p} contains ${below.entry}`));
          break;
        }
      }
      if (call.op === 'write' && isSystemFile(abs, /write/i.test(call.tool) && !/edit/i.test(call.tool))) {
        hits.push(meta('path.system-write', p));
        break;
      }
      if (call.op === 'write' && runsLater(abs, home)) {
        hits.push(meta('path.agent-config-write', p));
        break;
      }
      const state = call.op === 'write' ? stateFile(abs) : null;
      if (state) {
        hits.push(meta('path.state-write', `${state}: ${p}`));
        break;
      }
    }
    if (c.extra.length > 0) {
      const canon = `${call.op} ${lexical}`;
      for (const x of c.extra)
        if (x.re.test(canon))
          hits.push({ rule: x.id, pack: 'policy', reason: x.reason, detail: canon.slice(0, 120) });
    }
  }
  return hits;
}

/** Decides one tool call. Never throws. */
export function decide(call: ToolCall, opts: DecideOptions = {}): Verdict {
  const policy = opts.policy ?? DEFAULT_POLICY;
  const lockdown = opts.lockdown === true || policy.lockdown;
  const home = opts.home ?? process.env.HOME ?? '/root';
  let budget: Budget | null = null;
  try {
    const c = compile(policy, home);
    if (call.kind === 'other') return { decision: 'allow', warnings: [] };
    if (call.kind === 'file') {
      const hits = decideFile(call, opts, c, home).filter((h) => !c.allowIds.has(h.rule));
      return hits[0] ? block(hits[0], []) : { decision: 'allow', warnings: [] };
    }
    // a shell call whose command the guard cannot read is never allowed, in any mode: what runs is unknown
    if (call.invalid)
      return block(
        { rule: 'guard.input', pack: 'guard', reason: `the ${call.tool} call has ${call.invalid}` },
        [],
        'input',
      );
    const command = call.command;
    if (c.allowCommands.has(command.trim())) return { decision: 'allow', warnings: [] };
    budget = new Budget(opts.limits);
    // analyzeShell resolves the policy, lockdown and home the same way from opts
    const a = analyzeShell(command, call.cwd, opts, budget, true);
    const hit = a.hits.find((h) => !c.allowIds.has(h.rule));
    if (hit) return block(hit, []);
    if (a.warnings.length > 0) {
      // a command the guard cannot read is never allowed, in any mode: the shell would reject most of these anyway
      const uniq = [...new Set(a.warnings)].slice(0, 3).join(', ');
      return block(
        {
          rule: 'guard.parse',
          pack: 'guard',
          reason: `the command could not be parsed (${uniq}), so the guard cannot tell what it runs; fix the quoting or split it up`,
        },
        [],
        'parse',
      );
    }
    return { decision: 'allow', warnings: a.notes };
  } catch (err) {
    const text = call.kind === 'shell' ? call.command : '';
    if (err instanceof LimitError) {
      const found = fallbackScan(text);
      if (found) {
        return block(
          {
            rule: 'guard.limit',
            pack: 'guard',
            reason: `the command is too large or nested to check (${err.message}) and contains ${found}; split it up`,
            detail: err.kind,
          },
          [],
          'limit',
        );
      }
      // Past any limit the guard has not read the whole command: never allowed, in any mode. The time limit counts
      // CPU spent on this command (see Budget), so it is a fact about the command, which padding could otherwise
      // use to hide what it runs; a host too busy to finish (`starved`) blocks too, with its own reason.
      if (err.kind === 'time' || err.kind === 'starved') {
        return block(
          {
            rule: 'guard.limit',
            pack: 'guard',
            reason:
              err.kind === 'time'
                ? `${err.message}; split it up or write it to a file and run that`
                : `${err.message}; try again`,
            detail: err.kind,
          },
          [],
          'limit',
        );
      }
      return block(
        {
          rule: 'guard.limit',
          pack: 'guard',
          reason: `the command is too large or nested to check (${err.message}); split it up or write it to a file`,
          detail: err.kind,
        },
        [],
        'limit',
      );
    }
    return failVerdict(
      'internal',
      `internal error: ${err instanceof Error ? err.message : String(err)}`,
      lockdown,
    );
  }
}

export { isWithin };
