import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { sandboxBundleDir } from '../../host/sandbox-bundle.js';
import { Allowlist } from '../../network/allowlist.js';
import { startEgressProxy } from '../../network/egress-proxy.js';
import { socketPathProblem } from '../../util/unix-socket.js';
import type { NetworkModeName } from '../../launch/network.js';
import { chooseRuntimeDir, ensureRuntimeDir } from '../../session/runtime-dir.js';
import { sessionPaths } from '../../session/session-dir.js';
import { egressSocketPath } from '../../launch/services/egress-proxy.js';

/** What one network check found (the shape of a doctor finding). */
export interface Finding {
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** The in-sandbox forwarder an allowlist run starts before the agent (shims/bin/net-forward.ts, built). */
export const FORWARDER_FILE = 'net-forward.mjs';
/** The largest pid Linux hands out: the longest session directory name a run can get. */
const PID_MAX = 4_194_304;

/** Whether the config sends any run into `mode`: a "fail" then, else a "warn" (only `--network` would need it). */
function missing(mode: NetworkModeName, inUse: boolean, detail: string, fix: string): Finding {
  return inUse
    ? { status: 'fail', detail: `${detail}: runs with network "${mode}" cannot start`, fix }
    : { status: 'warn', detail: `${detail}: --network ${mode} cannot run here`, fix };
}

/** "open" is podman's slirp4netns (src/runtime/podman/argv.ts), which needs its binary on the host. */
export function openNetworkFinding(slirp4netns: string | undefined, inUse: boolean): Finding {
  if (slirp4netns) return { status: 'ok', detail: `slirp4netns ${slirp4netns}` };
  return missing(
    'open',
    inUse,
    'slirp4netns not found',
    'install slirp4netns (Debian/Ubuntu: sudo apt install slirp4netns)',
  );
}

/** What doctor found out about the pieces of an "allowlist" run. */
export interface AllowlistFacts {
  /** The built forwarder, or null when this install lacks it. */
  forwarder: string | null;
  /** Where a run's proxy socket would be, at its longest. */
  socketPath: string;
  /** The probe of a real proxy on a scratch socket: null when it answered, else what went wrong. */
  proxyError: string | null;
}

/** "allowlist" needs the forwarder bundle, a socket path a Unix socket can have, and a proxy that answers. */
export function allowlistNetworkFinding(facts: AllowlistFacts, inUse: boolean): Finding {
  if (!facts.forwarder)
    return missing(
      'allowlist',
      inUse,
      `the in-sandbox forwarder (dist/sandbox/${FORWARDER_FILE}) is not built`,
      'run `npm ci` (or `node scripts/build.mjs`) in the ags checkout',
    );
  const tooLong = socketPathProblem(facts.socketPath);
  if (tooLong)
    return missing(
      'allowlist',
      inUse,
      `the proxy socket ${tooLong}`,
      'set XDG_RUNTIME_DIR (or TMPDIR) to a shorter directory',
    );
  if (facts.proxyError !== null)
    return missing(
      'allowlist',
      inUse,
      `the egress proxy did not answer on a Unix socket: ${facts.proxyError}`,
      'run `ags --network allowlist --agent shell -- -c true` to see the full error',
    );
  return { status: 'ok', detail: `the egress proxy answers on a Unix socket; forwarder ${facts.forwarder}` };
}

/** "none" is podman's own --network=none: nothing to install. */
export function noneNetworkFinding(): Finding {
  return { status: 'ok', detail: 'needs nothing (no interface but loopback)' };
}

/**
 * Starts a real egress proxy with an empty allowlist on a scratch socket in `parent` (where runs keep their
 * sessions), asks it for a CONNECT and expects the refusal: what an allowlist run's proxy does first. Null when
 * it answered so.
 */
export async function probeEgressProxy(parent: string): Promise<string | null> {
  let dir: string | null = null;
  try {
    dir = mkdtempSync(join(parent, 'doctor-net-'));
    const socketPath = join(dir, 'egress.sock');
    const proxy = await startEgressProxy({
      socketPath,
      allowlist: new Allowlist([]),
      maxConnections: 4,
      log: () => {},
      denialHint: () => 'doctor probe',
    });
    try {
      const answer = await askOnce(
        socketPath,
        'CONNECT doctor.invalid:443 HTTP/1.1\r\nHost: doctor.invalid:443\r\n\r\n',
      );
      return / 403 /.test(answer.split('\r\n')[0] ?? '')
        ? null
        : `unexpected answer "${answer.slice(0, 60)}"`;
    } finally {
      await proxy.close();
    }
  } catch (err) {
    return (err as Error).message;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function askOnce(socketPath: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath, () => s.write(request));
    let got = '';
    s.setTimeout(5_000, () => s.destroy(new Error('no answer within 5 s')));
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => resolve(got));
  });
}

/** The facts of an allowlist run on this host, probe included. */
export async function allowlistFacts(env: NodeJS.ProcessEnv, uid: number): Promise<AllowlistFacts> {
  const bundle = sandboxBundleDir();
  const forwarder = bundle && existsSync(join(bundle, FORWARDER_FILE)) ? join(bundle, FORWARDER_FILE) : null;
  let runtimeDir: string;
  try {
    runtimeDir = ensureRuntimeDir(chooseRuntimeDir(env, uid), uid);
  } catch (err) {
    return { forwarder, socketPath: '', proxyError: (err as Error).message };
  }
  const socketPath = egressSocketPath(sessionPaths(runtimeDir, PID_MAX).root);
  return { forwarder, socketPath, proxyError: await probeEgressProxy(runtimeDir) };
}
