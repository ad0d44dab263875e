import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { ADAPTERS } from '../../../agents/index.js';
import type { AgentName } from '../../../agents/types.js';
import { hostHome } from '../../host/facts.js';
import { RuntimeError } from '../../errors.js';
import { diffGitExec, gitExecReport, snapshotGitExec } from '../../host/git-exec-keys.js';
import { protectionFacts } from '../../host/protected-facts.js';
import { buildLaunchPlan } from '../../plan/build.js';
import { PLACEHOLDER_DIR } from '../../plan/protected-paths.js';
import type { RunRequest, RunSettings } from '../../plan/inputs.js';
import type { LaunchPlan } from '../../plan/types.js';
import { podmanRunArgv } from '../../runtime/podman/argv.js';
import { podmanFailure } from '../../runtime/podman/exit-status.js';
import { ensureSeccompProfile, locateSeccompProfile } from '../../runtime/podman/seccomp.js';
import {
  PODMAN_MISSING,
  chownToContainerRoot,
  imageExists,
  spawnedMissing,
} from '../../runtime/podman/engine.js';
import { ownerLabels, removeOrphanContainers } from '../../runtime/podman/orphans.js';
import { ContainerStop, removeContainer, removeContainerSync } from '../../runtime/podman/stop.js';
import { writeEnvFile } from '../../session/env-file.js';
import {
  GUARD_LOAD_TIMEOUT_MS,
  GuardLoadWatch,
  guardLoadAction,
  guardLoadMessage,
} from '../../session/guard-load.js';
import { claimMountpoints } from '../../session/mountpoint-sharing.js';
import { writeSandboxGitconfig } from '../../session/gitconfig.js';
import { identityOf } from '../../session/process-identity.js';
import { assertRuntimeDirUnmounted, chooseRuntimeDir, ensureRuntimeDir } from '../../session/runtime-dir.js';
import { resolveSecrets } from '../../session/secrets.js';
import {
  createSessionDir,
  recordHelper,
  removeSessionDir,
  removeStaleSessions,
  sessionPaths,
} from '../../session/session-dir.js';
import { SIGNAL_EXIT, Teardown } from '../../session/signals.js';
import { addSshKeys, startSshAgent } from '../../session/ssh-agent.js';
import { consumePendingEof } from '../../session/terminal-input.js';
import { sandboxBundleDir } from '../../host/sandbox-bundle.js';
import { safeJson, scrubText } from '../../util/terminal-text.js';
import { mark } from '../../util/timing.js';
import { buildMissingImage, loadSandboxContext } from './context.js';
import { checkHostHome, resolveAddDirs, workspaceCheck } from './run-paths.js';
import { agentCommandAt, preflight } from './run-preflight.js';

export interface RunFlags {
  agent: AgentName;
  addDir: string[];
  defaults: boolean;
  tmux: boolean;
  root: boolean;
  yolo: boolean;
  dryRun: boolean;
  config?: string | undefined;
}

/** podman's exit code when it could not create or start the container (its own error, not the agent's). */
const PODMAN_START_FAILED = 125;

/** How long a signalled container gets to stop before it is killed. */
const STOP_GRACE_MS = 10_000;

function printPlan(plan: LaunchPlan, argv: string[]): void {
  process.stdout.write(`${safeJson({ plan, podman: ['podman', ...argv] }, 2)}\n`);
}

/** `ags --agent <name> [flags] -- [agent args]`: plan, prepare the session, run, clean up. Returns the exit code. */
export async function runAgent(flags: RunFlags, agentArgs: string[]): Promise<number> {
  mark('cli parsed');
  const ctx = await loadSandboxContext(
    flags.agent,
    flags.config,
    workspaceCheck(process.env, process.getuid!(), hostHome()),
  );
  mark('config loaded');
  const { facts, settings } = ctx;
  const adapter = ADAPTERS[flags.agent];
  if (settings.agent.hostHome) checkHostHome(adapter, facts.home);
  const request: RunRequest = {
    agent: flags.agent,
    addDirs: resolveAddDirs(flags.addDir, facts.cwd, ctx.safety),
    defaults: flags.defaults,
    tmux: flags.tmux,
    root: flags.root,
    yolo: flags.yolo,
    dryRun: flags.dryRun,
    agentArgs,
  };
  const runtime = chooseRuntimeDir(facts.env, facts.uid);
  const session = sessionPaths(runtime, facts.pid);
  const seccomp = locateSeccompProfile(runtime);
  const sshKeys = ctx.config.sandbox.ssh_keys;
  const planSettings: RunSettings = {
    ...settings,
    gitconfig: basename(session.gitconfig),
    ...(sshKeys.length > 0 ? { sshAuthSock: session.sshSocket } : {}),
  };
  const plan = buildLaunchPlan(
    request,
    planSettings,
    {
      ...facts,
      sessionDir: session.publicDir,
      secretEnvFile: session.envFile,
      seccompProfile: seccomp.path,
      sandboxBundleDir: sandboxBundleDir(),
      nonce: randomBytes(6).toString('hex'),
      guardLoad: { dir: session.guardDir, token: randomBytes(16).toString('hex') },
      agentCommandAt: agentCommandAt(adapter, planSettings, ctx.config),
      protectedPaths: protectionFacts({
        repositoryRoots: [
          facts.workdir,
          ...request.addDirs,
          ...settings.mounts.filter((m) => m.mode === 'rw').map((m) => m.host),
        ],
        agentConfigRoots: [facts.workdir, ...request.addDirs],
        home: facts.home,
        env: facts.env,
      }),
    },
    adapter,
  );
  assertRuntimeDirUnmounted(runtime, session.root, plan.mounts);
  const owner = identityOf(facts.pid);
  const argv = podmanRunArgv(plan, {
    cidFile: session.cidFile,
    pidFile: session.pidFile,
    ...(owner ? { labels: ownerLabels(owner, basename(session.root)) } : {}),
  });

  if (request.dryRun) {
    printPlan(plan, argv);
    return 0;
  }
  preflight(request, plan, adapter, planSettings, ctx.config);
  for (const w of plan.warnings) process.stderr.write(`ags: warning: ${scrubText(w)}\n`);

  mark('planned');
  // from here on every exit path, signals included, gives back what the run holds
  const teardown = new Teardown();
  let orphans: Promise<unknown> = Promise.resolve();
  const gitRoots = [facts.workdir, ...request.addDirs];
  let gitBefore: ReturnType<typeof snapshotGitExec> | null = null;
  try {
    // a killed run leaves its session dir behind, and maybe its container: only then is podman asked
    if (removeStaleSessions(ensureRuntimeDir(runtime, facts.uid)).length > 0)
      orphans = removeOrphanContainers();
    createSessionDir(session);
    teardown.add(() => removeSessionDir(session));
    ensureSeccompProfile(seccomp);
    mkdirSync(planSettings.agentHome, { recursive: true, mode: 0o700 });
    mkdirSync(planSettings.toolsDir, { recursive: true });
    for (const f of plan.sessionFiles) {
      writeFileSync(join(session.publicDir, f.name), f.content, { mode: 0o644 });
    }
    mkdirSync(join(session.publicDir, PLACEHOLDER_DIR), { mode: 0o755 });
    const rootOwned = plan.sessionFiles
      .filter((f) => f.ownedByRoot)
      .map((f) => join(session.publicDir, f.name));
    if (rootOwned.length > 0 && plan.user === 'keep-id') await chownToContainerRoot(rootOwned);
    const releaseMountpoints = claimMountpoints(plan.mounts, session, runtime, (path) =>
      process.stderr.write(
        `ags: warning: ${scrubText(path)} is a symlink or not a directory: no mount points made through it\n`,
      ),
    );
    // only once the container is gone (teardown may start early, on a signal)
    teardown.addLate(releaseMountpoints);
    await writeSandboxGitconfig(session.gitconfig);
    if (sshKeys.length > 0) {
      await startSshAgent(session.sshSocket, (agent) => {
        teardown.add(agent.stop);
        recordHelper(session.sshAgentFile, agent.pid);
      });
      await addSshKeys(session.sshSocket, sshKeys);
    }

    if (plan.secretEnv.length > 0) {
      const values = await resolveSecrets(settings.secrets, facts.env);
      for (const name of settings.passthroughEnv) {
        const v = facts.env[name];
        if (v && !(name in values)) values[name] = v;
      }
      writeEnvFile(session.envFile, values);
    }
    // what git on the host will execute, compared after the run (the mounts keep most of it read-only)
    gitBefore = snapshotGitExec(gitRoots, facts.home);
    mark('starting podman');
    // The image is not checked first (that costs a podman call on every launch). Exit 125 before the
    // container's first process existed means podman failed; only then does ags look for the image, build a
    // missing one and try once more. Any status without that process is podman's own (see podmanFailure).
    const started = () => existsSync(session.pidFile);
    const runOnce = () => runContainer(argv, plan, teardown, !facts.stdinTTY);
    let run = await runOnce();
    if (
      !run.signalled &&
      run.status === PODMAN_START_FAILED &&
      !started() &&
      !(await imageExists(plan.image))
    ) {
      await buildMissingImage(ctx);
      run = await runOnce();
    }
    // a run stopped for its guard ends however podman reports the removal: say why first
    checkGuardLoaded(plan, run.guard, 'during');
    const failure = run.signalled ? null : podmanFailure(run.status, started());
    if (failure) throw failure;
    checkGuardLoaded(plan, run.guard, 'after');
    return run.status;
  } finally {
    teardown.finish();
    await orphans;
    if (gitBefore)
      process.stderr.write(gitExecReport(diffGitExec(gitBefore, snapshotGitExec(gitRoots, facts.home))));
  }
}

/** How the in-process guard's load check went in one container run (absent: the plan has no check). */
interface GuardLoadReport {
  loaded: boolean;
  /** The timeout passed without a marker and the user was told (or the container stopped) during the run. */
  reported: boolean;
  refused: boolean;
}

const GUARD_LOAD_HINT = 'see docs/GUARDS.md (Per-agent wiring) for how the guard is loaded';

/** After the run: a guard that never reported in is said now (a short run ends before the timeout), or refused. */
function checkGuardLoaded(
  plan: LaunchPlan,
  report: GuardLoadReport | undefined,
  when: 'during' | 'after',
): void {
  if (!report || !plan.guardLoadCheck) return;
  if (report.refused) {
    throw new RuntimeError(guardLoadMessage(plan.agent, 'refuse', GUARD_LOAD_TIMEOUT_MS), GUARD_LOAD_HINT);
  }
  if (when === 'during' || report.loaded || report.reported) return;
  const action = guardLoadAction(false, plan.guardLoadCheck.failClosed);
  if (action === 'ok') return;
  const line = `the ags guard did not load in ${plan.agent} (no load marker when the agent exited)`;
  if (action === 'refuse') throw new RuntimeError(`${line}; fail-closed`, GUARD_LOAD_HINT);
  process.stderr.write(`ags: warning: ${line}: its tool calls were NOT vetoed in this run\n`);
}

/** Starts watching for the in-process guard's load marker; a missing one is said at once, or stops the run. */
function watchGuardLoad(plan: LaunchPlan): { watch: GuardLoadWatch; refused: () => boolean } | null {
  const check = plan.guardLoadCheck;
  if (!check) return null;
  let refused = false;
  const loaded = () => mark('guard reported loaded');
  const watch = new GuardLoadWatch(
    check.markerFile,
    check.token,
    () => {
      const action = guardLoadAction(false, check.failClosed);
      if (action === 'ok') return;
      if (action === 'refuse') {
        // said once the container is gone, as the run's error
        refused = true;
        void removeContainer(plan.containerName);
        return;
      }
      // \r: the agent's TUI may have the terminal in raw mode
      process.stderr.write(
        `\r\nags: warning: ${guardLoadMessage(plan.agent, action, GUARD_LOAD_TIMEOUT_MS)}\r\n`,
      );
    },
    GUARD_LOAD_TIMEOUT_MS,
    loaded,
  );
  watch.start();
  return { watch, refused: () => refused };
}

/**
 * Runs `podman run` in the foreground. On SIGINT/SIGTERM/SIGHUP: secrets are removed at once, and the container
 * is stopped (the signal delivered to it once, then removed after a grace period). Without a terminal on stdin,
 * podman runs in its own session, so a signal meant for the run reaches ags alone and is delivered once.
 */
async function runContainer(
  argv: string[],
  plan: LaunchPlan,
  teardown: Teardown,
  detached: boolean,
): Promise<{ status: number; signalled: boolean; guard?: GuardLoadReport }> {
  if (plan.tty) consumePendingEof();
  const child = execa('podman', argv, { stdio: 'inherit', reject: false, detached });
  const guardWatch = watchGuardLoad(plan);
  const stop = new ContainerStop(plan.containerName, child, STOP_GRACE_MS);
  let exited = false;
  // an exit that skips the stop below (an internal error) still takes the container with it
  teardown.addLate(() => exited || removeContainerSync(plan.containerName));
  const result = await teardown.intercept(
    (signal) => {
      teardown.release();
      stop.signal(signal);
    },
    async () => {
      const r = await child;
      await stop.finished();
      return r;
    },
  );
  exited = true;
  const guard = guardWatch
    ? {
        loaded: guardWatch.watch.finish(),
        reported: guardWatch.watch.reportedMissing,
        refused: guardWatch.refused(),
      }
    : undefined;
  if (spawnedMissing(result)) throw PODMAN_MISSING;
  if (stop.signalled) return { status: SIGNAL_EXIT[stop.signalled] ?? 1, signalled: true };
  return { status: result.exitCode ?? 1, signalled: false, ...(guard ? { guard } : {}) };
}
