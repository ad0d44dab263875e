import type { Config } from '../config/index.js';
import { RuntimeError } from '../errors.js';
import { socketPathProblem } from '../util/unix-socket.js';
import type { ServiceContribution } from '../plan/types.js';
import type { EgressSettings } from './network.js';
import { type SessionPaths, recordHelper } from '../session/session-dir.js';
import type { Teardown } from '../session/signals.js';
import type { TerminalHandoff } from '../session/terminal-handoff.js';

/** What a host service sees of the run it serves. */
export interface ServiceRun {
  session: SessionPaths;
  config: Config;
  /** This run's egress allowlist, when its network is "allowlist" (src/launch/network.ts). */
  egress: EgressSettings | null;
  /** A lockdown run: no SSH agent, and the auth proxy only with `[lockdown] auth_proxy = true`. */
  lockdown: boolean;
  /** The terminal ags runs in, lent by the sandbox's attach client for a question (the auth proxy's). */
  terminal: TerminalHandoff;
}

/** How a starting service hands over what it holds: the moment a thing exists, so an interrupted start gives it back too. */
export interface ServiceHold {
  /** Stops (or removes) something the service made; run on every way out, the last service's first. */
  stop(task: () => void): void;
  /** Records a helper process, so that the next start stops it when this run is killed outright. */
  helper(pid: number): void;
}

/**
 * Something on the host with a lifetime around the sandbox (the ssh-agent today; the auth and egress proxies
 * next). One file in src/launch/services/ plus one line in its list adds one.
 */
export interface HostService {
  readonly name: string;
  /** What the service gives this run's sandbox, or null when the run does not use it. Pure: --dry-run prints it. */
  plan(run: ServiceRun): ServiceContribution | null;
  /** Starts it, before the sandbox. Throws (one line) when it cannot. */
  start(run: ServiceRun, hold: ServiceHold): Promise<void>;
}

/** A service this run uses, with what it contributes. */
export interface PlannedService {
  service: HostService;
  contribution: ServiceContribution;
}

/** The services of `list` this run uses, in list order. */
export function planServices(list: readonly HostService[], run: ServiceRun): PlannedService[] {
  return list.flatMap((service) => {
    const contribution = service.plan(run);
    return contribution ? [{ service, contribution }] : [];
  });
}

/**
 * Starts the run's services in order. Each stop is handed to `teardown` as soon as it exists, so they run in
 * reverse order on every exit path: after the run, on an error (a later service failing to start included),
 * and on SIGINT/SIGTERM/SIGHUP.
 */
export async function startServices(
  planned: PlannedService[],
  run: ServiceRun,
  teardown: Teardown,
): Promise<void> {
  // before any starts: Node would bind a socket path that is too long cut short, where the mount cannot find it
  for (const { contribution } of planned)
    for (const m of contribution.mounts) {
      const tooLong = m.source.endsWith('.sock') ? socketPathProblem(m.source) : null;
      if (tooLong)
        throw new RuntimeError(
          `the session directory is too deep for the Unix sockets of the run's host services: ${tooLong}`,
          'set XDG_RUNTIME_DIR (or TMPDIR) to a shorter directory',
        );
    }
  for (const { service } of planned) {
    await service.start(run, {
      stop: (task) => teardown.add(task),
      helper: (pid) => recordHelper(run.session, service.name, pid),
    });
  }
}
