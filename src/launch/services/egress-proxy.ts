import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expansionEnv } from '../../config/expand.js';
import { RuntimeError } from '../../errors.js';
import { hostInterfaceAddresses } from '../../network/address-class.js';
import { Allowlist, parseAllowEntry } from '../../network/allowlist.js';
import { startEgressProxy } from '../../network/egress-proxy.js';
import { SANDBOX_NODE_PATH } from '../../../agents/sandbox-node.js';
import { SANDBOX_BIN_DIR } from '../../plan/reserved.js';
import { scrubText } from '../../util/terminal-text.js';
import type { HostService, ServiceRun } from '../host-service.js';
import { EGRESS_SOCKET_TARGET, type EgressSettings } from '../network.js';
import { DenialTally } from '../../network/denial-summary.js';
import { displayPath } from '../../util/paths.js';

/** Where programs in the sandbox find the proxy: the forwarder's port on the sandbox's own loopback. */
export const EGRESS_PORT = 3128;
/**
 * What the sandbox knows the host's services by, dialled at the host's loopback: the name the prompt hint gives,
 * and the address slirp4netns gives the host's loopback under the "open" network, so one agent config serves both.
 */
const HOST_SERVICES_NAMES = ['host.containers.internal', '10.0.2.2'];

/** Where a run's proxy listens: in its private session directory on the host. */
export const egressSocketPath = (sessionRoot: string) => join(sessionRoot, 'egress.sock');
const socketOf = (run: ServiceRun) => egressSocketPath(run.session.root);

/** The decision log: one JSON line per connection, kept after the run (`$XDG_STATE_HOME/ags/network.log`). */
export function networkLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(expansionEnv(env).XDG_STATE_HOME!, 'ags', 'network.log');
}

/** The variables that point programs at the proxy, in both cases, and what Node and Claude Code need to use it. */
export function proxyEnv(port: number): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  const local = 'localhost,127.0.0.1,::1';
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    ALL_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    all_proxy: url,
    NO_PROXY: local,
    no_proxy: local,
    // Node's fetch and http ignore the variables above unless told (Node 24; pi, gemini)
    NODE_USE_ENV_PROXY: '1',
    // Claude Code resolves names itself first unless told to leave that to the proxy; the sandbox has no DNS
    CLAUDE_CODE_PROXY_RESOLVES_HOSTS: 'true',
  };
}

/** The start line of an allowlist run: the mode, the first entries of the list, and host services if allowed. */
export function allowlistBanner(egress: Pick<EgressSettings, 'allow' | 'hostLoopback'>): string {
  const n = egress.allow.length;
  const shown = egress.allow.slice(0, 8).join(', ');
  const list =
    n === 0 ? 'no entries' : `${n} ${n === 1 ? 'entry' : 'entries'}: ${shown}${n > 8 ? ', …' : ''}`;
  const services = egress.hostLoopback ? '; host services at host.containers.internal' : '';
  return scrubText(`ags: network: allowlist through the host proxy (${list})${services}`);
}

/** What the agent is told would allow a refused destination; never what this run's posture cannot allow. */
export function denialHint(host: string, hostLoopback: boolean, lockdown: boolean): string {
  if (hostLoopback)
    return lockdown
      ? "a lockdown run never reaches the host's loopback, whatever its allowlist says"
      : "the host's loopback needs [network] allow_host_loopback = true and the address itself listed (a wide range never includes it)";
  return `allow it with --allow-domain ${host} or ${lockdown ? '[lockdown]' : '[network]'} allow_domains (ags network policy)`;
}

/**
 * The egress proxy of an "allowlist" run: the sandbox has no network interface, and this host-side proxy on a
 * Unix socket (src/network/egress-proxy.ts) is its only way out, reached through a forwarder the sandbox starts
 * before the agent (shims/bin/net-forward.ts).
 */
export const egressProxyService: HostService = {
  name: 'egress-proxy',
  plan(run) {
    if (!run.egress) return null;
    return {
      service: 'egress-proxy',
      mounts: [{ source: socketOf(run), target: EGRESS_SOCKET_TARGET, mode: 'rw' }],
      env: proxyEnv(EGRESS_PORT),
      files: [],
      // the image's node, never one the agent's PATH (its home) could offer
      prelude: [
        '/usr/bin/env',
        '-i',
        `PATH=${SANDBOX_NODE_PATH}`,
        'node',
        `${SANDBOX_BIN_DIR}/net-forward.mjs`,
        EGRESS_SOCKET_TARGET,
        String(EGRESS_PORT),
      ],
    };
  },
  async start(run, hold) {
    const egress = run.egress!;
    const allowlist = new Allowlist(
      egress.allow.map((e) => {
        const p = parseAllowEntry(e);
        if (!p.ok) throw new RuntimeError(`network allowlist: ${p.reason}`);
        return p.entry;
      }),
      // in lockdown the host's own addresses are out of every range (they reach its services bound to all)
      {
        hostLoopback: egress.hostLoopback,
        ...(run.lockdown ? { hostAddresses: hostInterfaceAddresses } : {}),
      },
    );
    const logFile = networkLogPath();
    mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
    const session = run.session.root.split('/').pop();
    const denials = new DenialTally();
    let proxy;
    try {
      proxy = await startEgressProxy({
        socketPath: socketOf(run),
        allowlist,
        maxConnections: egress.maxConnections,
        hostAliases: new Map(egress.hostLoopback ? HOST_SERVICES_NAMES.map((n) => [n, '127.0.0.1']) : []),
        denialHint: (host, hostLoopback) => denialHint(host, hostLoopback, Boolean(run.lockdown)),
        log: (entry) => {
          if (!entry.allowed) denials.add(entry.host, entry.port, entry.reason ?? 'refused');
          try {
            appendFileSync(
              logFile,
              `${JSON.stringify({ time: new Date().toISOString(), session, ...entry })}\n`,
              {
                mode: 0o600,
              },
            );
          } catch {
            // an unwritable log must not stop the run
          }
        },
      });
    } catch (err) {
      throw new RuntimeError(
        `the egress proxy could not start: ${(err as Error).message}`,
        'the run does not fall back to another network; `ags doctor` checks what it needs, --network none or open run without it',
      );
    }
    hold.stop(() => {
      void proxy.close();
      const said = denials.summary(displayPath(logFile));
      if (said) process.stderr.write(`${scrubText(said)}\n`);
    });
    process.stderr.write(`${allowlistBanner(egress)}\n`);
  },
};
