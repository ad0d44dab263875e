import type { AgentName } from '../../agents/types.js';
import type { Config } from '../config/index.js';
import { UsageError } from '../errors.js';
import { parseAllowEntry } from '../network/allowlist.js';
import { NETWORK_PRESETS, expandPresets } from '../network/presets.js';
import { SANDBOX_NET_DIR } from '../plan/reserved.js';
import type { Network } from '../plan/types.js';

export type NetworkModeName = Config['network']['mode'];

/** What the egress proxy of an "allowlist" run enforces. */
export interface EgressSettings {
  /** Allowlist entries with presets expanded, in order. */
  allow: string[];
  /** host.containers.internal reaches the host's loopback through the proxy. */
  hostLoopback: boolean;
  maxConnections: number;
}

/** Flags of one run that choose its network. */
export interface NetworkFlags {
  network?: NetworkModeName | undefined;
  allowDomain: string[];
  /** A lockdown run: `[lockdown] network` and `allow_domains` instead of `[network]` and the agent's own. */
  lockdown?: boolean;
}

export const EGRESS_SOCKET_TARGET = `${SANDBOX_NET_DIR}/egress.sock`;

/**
 * The run's network: `--network`, else `[agents.X.network] mode`, else `[network] mode`. Under "allowlist" the
 * allowlist is the agent's own preset, `[network] allow_domains`, the agent's `allow_domains` and every
 * `--allow-domain`. In lockdown: `--network`, else `[lockdown] network` ("open" is refused before this), and
 * the list is the agent's preset, `[lockdown] allow_domains` and every `--allow-domain`, without the host's
 * loopback. Pure: --dry-run prints its result.
 */
export function effectiveNetwork(
  config: Config,
  agent: AgentName,
  flags: NetworkFlags,
): { network: Network; egress: EgressSettings | null } {
  const own = config.agents[agent].network;
  const lockdown = flags.lockdown === true;
  const mode = lockdown
    ? (flags.network ?? config.lockdown.network)
    : (flags.network ?? own.mode ?? config.network.mode);
  if (lockdown && mode === 'open') throw new UsageError('--network open cannot be used in lockdown');
  for (const d of flags.allowDomain) {
    const parsed = d.startsWith('@') ? null : parseAllowEntry(d);
    if (parsed && !parsed.ok) throw new UsageError(`--allow-domain: ${parsed.reason}`);
  }
  if (flags.allowDomain.length > 0 && mode !== 'allowlist')
    throw new UsageError(
      `--allow-domain applies to the allowlist network, and this run's network is "${mode}"`,
      lockdown
        ? 'add --network allowlist, or set [lockdown] network = "allowlist"'
        : 'add --network allowlist, or set [network] mode = "allowlist"',
    );
  if (mode === 'none') return { network: { mode: 'none' }, egress: null };
  const hostLoopback = !lockdown && config.network.allow_host_loopback;
  if (mode === 'open') return { network: { mode: 'open', hostLoopback }, egress: null };
  const preset = Object.hasOwn(NETWORK_PRESETS, agent) ? [`@${agent}`] : [];
  const { entries, unknown } = expandPresets([
    ...preset,
    ...(lockdown ? config.lockdown.allow_domains : [...config.network.allow_domains, ...own.allow_domains]),
    ...flags.allowDomain,
  ]);
  if (unknown.length > 0)
    throw new UsageError(
      `unknown network preset ${unknown.join(', ')}`,
      `presets: ${Object.keys(NETWORK_PRESETS)
        .map((p) => `@${p}`)
        .join(', ')}`,
    );
  const egress = { allow: entries, hostLoopback, maxConnections: config.network.max_connections };
  return {
    network: { mode: 'proxied', socket: EGRESS_SOCKET_TARGET, allow: entries, hostLoopback },
    egress,
  };
}
