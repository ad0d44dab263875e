import { AGENT_NAMES } from './agents.js';
import { boundLines, escapeText, quoteText } from '../util/terminal-text.js';
import { errorAt, type SourceFile } from './errors.js';
import { displayPath, type PathSegment } from './positions.js';
import { isTable } from './merge.js';
import { forbiddenOverlayEnv, OVERLAY_ENV_WHY } from './overlay-env.js';
import { showValue } from './show-value.js';

/** The longest host path (or other bare text) the trust question shows before cutting it. */
const MAX_SHOWN_PATH = 300;

/**
 * What a repo overlay may not do. A repository is not the user: it may add mounts, tools, agent settings
 * and secrets from host env vars or the keyring (all shown before the user trusts it), but it may not
 * change what ags itself executes on the host, which image runs, where ags keeps its own state, the
 * guard's exceptions, the auth proxy, lockdown, or the aliases ags writes onto the host's PATH.
 */
export const OVERLAY_FORBIDDEN: readonly { path: readonly string[]; why: string }[] = [
  { path: ['sandbox', 'image'], why: 'it chooses the image the sandbox runs' },
  { path: ['sandbox', 'containerfile'], why: 'it chooses what the image is built from' },
  { path: ['sandbox', 'base_image'], why: 'it chooses what the image is built from' },
  { path: ['sandbox', 'cache_dir'], why: 'it moves where ags keeps its own files on the host' },
  { path: ['sandbox', 'data_dir'], why: 'it moves where ags keeps its own files on the host' },
  { path: ['sandbox', 'git_config'], why: 'a repository may not make what git runs on the host writable' },
  {
    path: ['sandbox', 'writable_agent_config'],
    why: 'a repository may not make what host agents and editors load writable',
  },
  { path: ['runtime', 'engine'], why: 'it chooses the program ags runs on the host' },
  { path: ['runtime', 'podman', 'oci_runtime'], why: 'it chooses a program podman runs on the host' },
  { path: ['runtime', 'podman', 'extra_args'], why: 'it passes arbitrary options to podman on the host' },
  { path: ['secret', '*', 'command'], why: 'a command secret runs a program on the host' },
  { path: ['guard', 'enabled'], why: 'a repository may not switch the guard off' },
  { path: ['guard', 'allow'], why: 'a repository may not make exceptions to the guard' },
  { path: ['auth_proxy'], why: 'it decides which URLs open in your browser on the host' },
  { path: ['lockdown'], why: 'a repository may not weaken lockdown' },
  ...AGENT_NAMES.map((a) => ({
    path: ['agents', a, 'lockdown'],
    why: 'a repository may not choose whether it is opened in lockdown',
  })),
  { path: ['alias'], why: 'aliases become programs on your PATH on the host' },
];

const OVERLAY_HINT =
  'set it in your user config instead (`ags config path` prints where); see docs/CONFIG.md#repo-overlays';

function find(pattern: readonly string[], raw: unknown): PathSegment[][] {
  const found: PathSegment[][] = [];
  const walk = (node: unknown, depth: number, path: PathSegment[]) => {
    if (depth === pattern.length) {
      if (node !== undefined) found.push(path);
      return;
    }
    const seg = pattern[depth]!;
    if (Array.isArray(node) && seg === '*') node.forEach((v, i) => walk(v, depth + 1, [...path, i]));
    else if (isTable(node) && seg !== '*') walk(node[seg], depth + 1, [...path, seg]);
  };
  walk(raw, 0, []);
  return found;
}

/** Throws a located ConfigError for the first key (in file order) a repo overlay may not set. */
export function checkOverlay(file: SourceFile): void {
  const hits = [
    ...OVERLAY_FORBIDDEN.flatMap(({ path, why }) => find(path, file.raw).map((p) => ({ path: p, why }))),
    ...forbiddenOverlayEnv(file.raw).map((p) => ({ path: p, why: OVERLAY_ENV_WHY })),
  ].map((h) => ({ ...h, pos: file.positions.locate(h.path) }));
  if (hits.length === 0) return;
  hits.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  const first = hits[0]!;
  throw errorAt(
    file.path,
    first.pos,
    first.path,
    `not allowed in a repo overlay: ${first.why}`,
    OVERLAY_HINT,
  );
}

/** The most lines the trust question shows; the rest are counted on the last line. */
export const MAX_DESCRIBED_LINES = 40;

/**
 * One line per thing an (expanded) overlay would change, most dangerous first: host paths it exposes,
 * host secrets and env vars it pulls in, network it opens, guard rules it adds, then everything else.
 * Everything the overlay supplies is escaped and cut to length (see src/util/terminal-text.ts), and there
 * are at most `maxLines` lines, so the overlay cannot draw over or push away what the user is asked about.
 */
export function describeOverlay(raw: Record<string, unknown>, maxLines = MAX_DESCRIBED_LINES): string[] {
  return boundLines(
    describeAll(raw),
    maxLines,
    (n) =>
      `... and ${n} more change${n === 1 ? '' : 's'} not shown: read the overlay file itself before trusting it`,
  );
}

function describeAll(raw: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const rest = structuredClone(raw);
  const take = (section: string): unknown => {
    const v = rest[section];
    delete rest[section];
    return v;
  };
  // bare when plain; quoted when it holds a space, so "/x read-only" cannot pass for a mode
  const text = (v: unknown) =>
    typeof v !== 'string'
      ? showValue(v)
      : /\s/.test(v)
        ? quoteText(v, MAX_SHOWN_PATH)
        : escapeText(v, MAX_SHOWN_PATH);
  // a plain list, each entry escaped, cut after MAX_SHOWN_PATH characters with a count of the rest
  const list = (items: unknown[]) => {
    if (items.length === 0) return '(none)';
    let out = '';
    for (const [i, item] of items.entries()) {
      const next = `${i > 0 ? ', ' : ''}${text(item)}`;
      if (i > 0 && out.length + next.length > MAX_SHOWN_PATH)
        return `${out}, ... and ${items.length - i} more`;
      out += next;
    }
    return out;
  };
  const mountLine = (m: Record<string, unknown>, extra = '') => {
    const container = m.container ?? m.host;
    const where = container === m.host ? '' : ` at ${text(container)}`;
    const when = Array.isArray(m.when) ? ` (when: ${m.when.map(text).join(', ')})` : '';
    const create = m.create === true ? ' (CREATED on the host if missing)' : '';
    return `mount host path ${text(m.host)}${where} ${m.mode === 'rw' ? 'READ-WRITE' : 'read-only'}${extra}${create}${when}`;
  };

  for (const m of (take('mount') as Record<string, unknown>[] | undefined) ?? []) lines.push(mountLine(m));
  for (const m of (take('agent_mount') as Record<string, unknown>[] | undefined) ?? [])
    lines.push(mountLine(m, ` for agent ${text(m.agent)}`));
  for (const t of (take('tool') as Record<string, unknown>[] | undefined) ?? []) {
    lines.push(`mount host binary ${text(t.path)} read-only as tool ${showValue(t.name)}`);
    for (const d of (t.directory as Record<string, unknown>[] | undefined) ?? [])
      lines.push(mountLine(d, ` for tool ${showValue(t.name)}`));
  }
  for (const s of (take('secret') as Record<string, unknown>[] | undefined) ?? []) {
    const env = text(s.env);
    if (s.from_env !== undefined) lines.push(`read host env var ${text(s.from_env)} into secret ${env}`);
    if (isTable(s.keyring)) {
      lines.push(
        `read keyring item service=${showValue(s.keyring.service)} account=${showValue(s.keyring.account)} into secret ${env}`,
      );
    }
  }
  const sandbox = take('sandbox');
  if (isTable(sandbox)) {
    if (Array.isArray(sandbox.passthrough_env))
      lines.push(`pass host env vars into the sandbox: ${list(sandbox.passthrough_env)}`);
    if (Array.isArray(sandbox.ssh_keys))
      lines.push(`offer SSH keys to the sandbox: ${list(sandbox.ssh_keys)}`);
    if (typeof sandbox.signing_key === 'string')
      lines.push(`sign commits made in the sandbox with the SSH key ${showValue(sandbox.signing_key)}`);
    for (const [k, v] of Object.entries(sandbox))
      if (k !== 'passthrough_env' && k !== 'ssh_keys' && k !== 'signing_key')
        lines.push(`set ${displayPath(['sandbox', k])} = ${showValue(v)}`);
  }
  const agents = take('agents');
  if (isTable(agents)) {
    for (const [key, a] of Object.entries(agents)) {
      if (!isTable(a)) continue;
      const name = displayPath([key]);
      if (a.host_home === true)
        lines.push(
          `mount the host's own ${name} home READ-WRITE (${displayPath(['agents', key, 'host_home'])})`,
        );
      if (isTable(a.env))
        for (const [k, v] of Object.entries(a.env))
          lines.push(`set env ${escapeText(k, 64)}=${showValue(v)} for agent ${name}`);
      if (Array.isArray(a.args)) lines.push(`pass extra arguments to ${name}: ${showValue(a.args)}`);
      if (a.host_home === false) lines.push(`set ${displayPath(['agents', key, 'host_home'])} = false`);
      if (isTable(a.network)) {
        if (a.network.mode !== undefined)
          lines.push(`set the network of ${name} to ${showValue(a.network.mode)}`);
        if (Array.isArray(a.network.allow_domains))
          lines.push(`let ${name} reach, under the allowlist network: ${list(a.network.allow_domains)}`);
      }
    }
  }
  const network = take('network');
  if (isTable(network)) {
    if (network.mode !== undefined) lines.push(`set network mode to ${showValue(network.mode)}`);
    if (network.allow_host_loopback === true)
      lines.push("let the sandbox reach the host's loopback services");
    if (network.allow_host_loopback === false) lines.push('set network.allow_host_loopback = false');
    if (Array.isArray(network.allow_domains))
      lines.push(`let the sandbox reach, under the allowlist network: ${list(network.allow_domains)}`);
    if (network.max_connections !== undefined)
      lines.push(`set network.max_connections = ${showValue(network.max_connections)}`);
  }
  const guard = take('guard');
  if (isTable(guard)) {
    for (const r of (guard.rules as Record<string, unknown>[] | undefined) ?? [])
      lines.push(
        `add guard rule ${showValue(r.id)}: ${showValue(r.pattern)} (${escapeText(String(r.reason), MAX_SHOWN_PATH)})`,
      );
    if (Array.isArray(guard.sensitive_paths))
      lines.push(`add sensitive paths: ${list(guard.sensitive_paths)}`);
  }
  const flatten = (v: unknown, path: PathSegment[]) => {
    if (isTable(v)) for (const [k, x] of Object.entries(v)) flatten(x, [...path, k]);
    else lines.push(`set ${displayPath(path)} = ${showValue(v)}`);
  };
  flatten(rest, []);
  return lines;
}
