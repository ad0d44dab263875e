import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { ADAPTERS } from '../../../agents/index.js';
import type { AgentName } from '../../../agents/types.js';
import { hostHome } from '../../host/facts.js';
import { buildLaunchPlan } from '../../plan/build.js';
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
import { writeEnvFile } from '../../session/env-file.js';
import { claimMountpoints } from '../../session/mountpoint-sharing.js';
import { writeSandboxGitconfig } from '../../session/gitconfig.js';
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
import { PACKAGE_ROOT } from '../../util/package-root.js';
import { safeJson, scrubText } from '../../util/terminal-text.js';
import { mark } from '../../util/timing.js';
import { buildMissingImage, loadSandboxContext } from './context.js';
import { checkHostHome, resolveAddDirs, workspaceCheck } from './run-paths.js';
import { preflight } from './run-preflight.js';

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

/** The built in-sandbox bundles, or null when this checkout has not built them. */
export function sandboxBundleDir(): string | null {
  const dir = join(PACKAGE_ROOT, 'dist', 'sandbox');
  return existsSync(join(dir, 'claude-hook.mjs')) && existsSync(join(dir, 'ags-entry.sh')) ? dir : null;
}

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
    },
    adapter,
  );
  assertRuntimeDirUnmounted(runtime, session.root, plan.mounts);
  const argv = podmanRunArgv(plan, { cidFile: session.cidFile, pidFile: session.pidFile });

  if (request.dryRun) {
    printPlan(plan, argv);
    return 0;
  }
  preflight(request, plan, adapter, planSettings, ctx.config);
  for (const w of plan.warnings) process.stderr.write(`ags: warning: ${scrubText(w)}\n`);

  mark('planned');
  // from here on every exit path, signals included, gives back what the run holds
  const teardown = new Teardown();
  try {
    removeStaleSessions(ensureRuntimeDir(runtime, facts.uid));
    createSessionDir(session);
    teardown.add(() => removeSessionDir(session));
    ensureSeccompProfile(seccomp);
    mkdirSync(planSettings.agentHome, { recursive: true, mode: 0o700 });
    mkdirSync(planSettings.toolsDir, { recursive: true });
    for (const f of plan.sessionFiles) {
      writeFileSync(join(session.publicDir, f.name), f.content, { mode: 0o644 });
    }
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
    mark('starting podman');
    // The image is not checked first (that costs a podman call on every launch). Exit 125 before the
    // container's first process existed means podman failed; only then does ags look for the image, build a
    // missing one and try once more. Any status without that process is podman's own (see podmanFailure).
    const started = () => existsSync(session.pidFile);
    let run = await runContainer(argv, plan, teardown);
    if (
      !run.signalled &&
      run.status === PODMAN_START_FAILED &&
      !started() &&
      !(await imageExists(plan.image))
    ) {
      await buildMissingImage(ctx);
      run = await runContainer(argv, plan, teardown);
    }
    const failure = run.signalled ? null : podmanFailure(run.status, started());
    if (failure) throw failure;
    return run.status;
  } finally {
    teardown.finish();
  }
}

/**
 * Runs `podman run` in the foreground. On SIGINT/SIGTERM/SIGHUP: secrets are removed at once, the signal is
 * forwarded (podman passes it to the agent), and a container still running after a grace period is removed.
 */
async function runContainer(
  argv: string[],
  plan: LaunchPlan,
  teardown: Teardown,
): Promise<{ status: number; signalled: boolean }> {
  if (plan.tty) consumePendingEof();
  const child = execa('podman', argv, { stdio: 'inherit', reject: false });
  let signalled: NodeJS.Signals | null = null;
  let grace: NodeJS.Timeout | undefined;
  const result = await teardown.intercept(
    (signal) => {
      signalled ??= signal;
      teardown.release();
      child.kill(signal);
      grace ??= setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    },
    () => child,
  );
  clearTimeout(grace);
  if (spawnedMissing(result)) throw PODMAN_MISSING;
  if (signalled) {
    // podman killed by force leaves the container behind; make sure it is gone before ags exits
    await execa('podman', ['rm', '--force', '--ignore', '--time=0', plan.containerName], {
      reject: false,
      stdio: 'ignore',
    });
    return { status: SIGNAL_EXIT[signalled] ?? 1, signalled: true };
  }
  return { status: result.exitCode ?? 1, signalled: false };
}
