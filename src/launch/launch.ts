import { resetTerminal } from '../util/terminal-reset.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ADAPTERS } from '../../agents/index.js';
import type { AgentAdapter, AgentName } from '../../agents/types.js';
import { type SandboxContext, buildMissingImage, loadSandboxContext } from './context.js';
import { checkHostHome, resolveAddDirs, workspaceCheck } from './run-paths.js';
import { agentCommandAt, preflight } from './preflight.js';
import { installState } from '../host/agent-install.js';
import { hostHome } from '../host/facts.js';
import { diffGitExec, gitExecReport, snapshotGitExec } from '../host/git-exec-keys.js';
import {
  MAX_NESTED_PROTECTED,
  type ProtectedEntry,
  nestedRepoRoots,
  protectionFacts,
} from '../host/protected-facts.js';
import { cutText, plantedLines, plantedReport } from '../host/planted-report.js';
import {
  type MarkerSnapshot,
  nestedMarkers,
  quarantineNewRepos,
  quarantineReport,
  snapshotMarkers,
} from '../host/nested-repo-quarantine.js';
import {
  type PathDirWatch,
  hostCommandNames,
  pathDirChanges,
  pathDirReport,
  watchPathDirs,
} from '../host/path-add-watch.js';
import {
  type ProtectedIdentity,
  protectedChanges,
  protectedChangesReport,
  snapshotProtected,
} from '../host/protected-verify.js';
import { type WorkspaceScan, scanWorkspace } from '../host/workspace-scan.js';
import { displayPath } from '../util/paths.js';
import { sandboxBundleDir } from '../host/sandbox-bundle.js';
import { guardVersionGap } from '../plan/agent-version.js';
import { buildLaunchPlan } from '../plan/build.js';
import { DEFAULT_PROTECTIONS, PLACEHOLDER_DIR, PLACEHOLDER_GITIGNORE } from '../plan/protected-paths.js';
import type { LockdownSettings, RunRequest, RunSettings } from '../plan/inputs.js';
import type { LaunchPlan } from '../plan/types.js';
import type { RunFiles, RunOutcome, SeccompFile } from '../runtime/backend.js';
import { writeEnvFile } from '../session/env-file.js';
import { writeSandboxGitconfig } from '../session/gitconfig.js';
import { RuntimeError } from '../errors.js';
import { claimMountpoints } from '../session/mountpoint-sharing.js';
import { requireLockdownHardening } from './lockdown-hardening.js';
import { mountsNeedingPoints } from '../session/mountpoints.js';
import { assertRuntimeDirUnmounted, chooseRuntimeDir, ensureRuntimeDir } from '../session/runtime-dir.js';
import { resolveSecrets } from '../session/secrets.js';
import {
  type SessionPaths,
  createSessionDir,
  removeSessionDir,
  removeStaleSessions,
  sessionPaths,
} from '../session/session-dir.js';
import { Teardown } from '../session/signals.js';
import { TerminalHandoff } from '../session/terminal-handoff.js';
import { consumePendingEof } from '../session/terminal-input.js';
import { safeJson, scrubText } from '../util/terminal-text.js';
import { mark } from '../util/timing.js';
import { type GuardLoadReport, checkGuardLoaded, watchGuardLoad } from './guard-load.js';
import { checkSandboxDaemons, startSandboxDaemons } from './sandbox-daemons.js';
import { type PlannedService, type ServiceRun, planServices, startServices } from './host-service.js';
import { type NetworkModeName, effectiveNetwork } from './network.js';
import { HOST_SERVICES } from './services/index.js';
import { lockdownBanner, lockdownSettings, refuseInLockdown, refuseRuntimeInLockdown } from './lockdown.js';
import { StagingRefused, stageHome } from '../session/staged-home.js';
import {
  type GitDirEntries,
  findGitDirs,
  removePlantedGitDirEntries,
  scanGitDirs,
} from '../host/git-dir-links.js';
import { afterKillCommand, takeKilledRunReports } from './after-kill.js';
import { cleanGitDirsOfKilledRuns, dropGitBaseline, recordGitBaseline } from '../host/killed-run-git-dirs.js';
import {
  dropNestedBaseline,
  quarantineOfKilledRuns,
  recordNestedBaseline,
} from '../host/killed-run-nested-repos.js';

/** What the command line asked of a run (src/cli/commands/run.ts turns flags into this). */
export interface LaunchRequest {
  agent: AgentName;
  addDir: string[];
  defaults: boolean;
  tmux: boolean;
  root: boolean;
  yolo: boolean;
  config?: string | undefined;
  agentArgs: string[];
  /** --network and --allow-domain. */
  network?: NetworkModeName | undefined;
  allowDomain: string[];
  /** --lockdown (the agent's `[agents.X] lockdown` default is read with the config). */
  lockdown: boolean;
  /** --secret NAME: the secrets this run gets even in lockdown. */
  secret: string[];
}

/** A run, planned: everything execute() does is decided here, and --dry-run prints exactly this. */
export interface PreparedLaunch {
  ctx: SandboxContext;
  adapter: AgentAdapter;
  request: RunRequest;
  settings: RunSettings;
  runtimeDir: string;
  session: SessionPaths;
  seccomp: SeccompFile;
  services: PlannedService[];
  serviceRun: ServiceRun;
  plan: LaunchPlan;
  /** The backend's own files and labels for this run. */
  files: RunFiles;
  /** The workspace's and -d dirs' nested repositories and host-run files at start (workspace-scan.ts). */
  scans: WorkspaceScan[];
  /** Protected paths that did not exist: ags's own placeholders cover them (not reported as planted). */
  placeholderPaths: string[];
  /** The protected paths whose protection is on: checked after the run to be the same files (protected-verify.ts). */
  protectedPaths: ProtectedEntry[];
}

/** Plans a run: config, host facts, this run's paths, its host services, the plan. Starts nothing. */
export async function prepareLaunch(req: LaunchRequest, dryRun: boolean): Promise<PreparedLaunch> {
  const ctx = await loadSandboxContext(
    req.agent,
    req.config,
    workspaceCheck(process.env, process.getuid!(), hostHome()),
    { lockdown: req.lockdown, secrets: req.secret },
  );
  mark('config loaded');
  const { facts, backend } = ctx;
  const adapter = ADAPTERS[req.agent];
  if (ctx.lockdown) {
    refuseInLockdown(req);
    refuseRuntimeInLockdown(ctx.config);
  }
  if (ctx.settings.agent.hostHome) checkHostHome(adapter, facts.home);
  const request: RunRequest = {
    agent: req.agent,
    addDirs: resolveAddDirs(req.addDir, facts.cwd, ctx.safety),
    defaults: req.defaults,
    tmux: req.tmux,
    root: req.root,
    yolo: req.yolo,
    dryRun,
    agentArgs: req.agentArgs,
  };
  const runtimeDir = chooseRuntimeDir(facts.env, facts.uid);
  const session = sessionPaths(runtimeDir, facts.pid);
  const seccomp = backend.seccompProfile(runtimeDir);
  const { network, egress } = effectiveNetwork(ctx.config, req.agent, {
    network: req.network,
    allowDomain: req.allowDomain,
    lockdown: ctx.lockdown,
  });
  const serviceRun: ServiceRun = {
    session,
    config: ctx.config,
    egress,
    lockdown: ctx.lockdown,
    terminal: new TerminalHandoff(),
  };
  const services = planServices(HOST_SERVICES, serviceRun);
  const settings: RunSettings = {
    ...ctx.settings,
    // lockdown: a fresh home in the session dir, which goes with the session on every way out
    ...(ctx.lockdown
      ? {
          agentHome: session.stagedHome,
          lockdown: lockdownSettings(ctx.config, adapter, ctx.settings.agentHome, req.secret),
        }
      : {}),
    network,
    gitconfig: basename(session.gitconfig),
    services: services.map((s) => s.contribution),
    // every lockdown run is hardened
    ...(ctx.lockdown ? { hardening: requireLockdownHardening(ctx.config, facts.cgroups) } : {}),
  };
  const commandAt = agentCommandAt(adapter, settings, ctx.config);
  const installed =
    commandAt === 'tools' && adapter.npmPackage ? installState(settings.toolsDir, adapter.npmPackage) : null;
  const agentVersion = installed?.state === 'installed' ? installed.version : undefined;
  // lockdown's guard fails closed: an agent whose guard would fail open is refused before anything is touched
  const versionGap = ctx.lockdown ? guardVersionGap(adapter, agentVersion) : null;
  if (versionGap) throw new RuntimeError(versionGap);
  const agentConfigRoots = [facts.workdir, ...request.addDirs];
  // what a killed run left goes before this run's scan takes it for the user's own (and protects it)
  if (!dryRun) {
    process.stderr.write(reapedRunReport(takeKilledRunReports(runtimeDir)));
    process.stderr.write(killedRunReport(quarantineOfKilledRuns(runtimeDir, agentConfigRoots, facts.home)));
  }
  const scans = agentConfigRoots.map(scanWorkspace);
  mark('workspace scanned');
  const protectionNotes: string[] = [];
  const protectedPaths = protectionFacts(
    {
      repositoryRoots: [
        facts.workdir,
        ...request.addDirs,
        ...ctx.settings.mounts.filter((m) => m.mode === 'rw').map((m) => m.host),
      ],
      agentConfigRoots,
      scans,
      home: facts.home,
      env: facts.env,
    },
    protectionNotes,
  );
  const plan = buildLaunchPlan(
    request,
    settings,
    {
      ...facts,
      sessionDir: session.publicDir,
      secretEnvFile: session.envFile,
      seccompProfile: seccomp.path,
      hostServicesAddress: backend.hostServicesAddress,
      sandboxBundleDir: sandboxBundleDir(),
      nonce: randomBytes(6).toString('hex'),
      guardLoad: { dir: session.guardDir, token: randomBytes(16).toString('hex') },
      agentCommandAt: commandAt,
      ...(agentVersion ? { agentVersion } : {}),
      protectedPaths,
    },
    adapter,
  );
  assertRuntimeDirUnmounted(runtimeDir, session.root, plan.mounts);
  const files: RunFiles = {
    cidFile: session.cidFile,
    pidFile: session.pidFile,
    labels: backend.ownerLabels(basename(session.root)),
  };
  plan.warnings.push(...scanWarnings(scans), ...protectionNotes);
  return {
    ctx,
    adapter,
    request,
    settings,
    runtimeDir,
    session,
    seccomp,
    services,
    serviceRun,
    plan,
    files,
    scans,
    placeholderPaths: protectedPaths.filter((e) => e.kind === 'absent').map((e) => e.path),
    protectedPaths: protectedPaths.filter((e) =>
      e.group === 'git'
        ? (settings.protections ?? DEFAULT_PROTECTIONS).git
        : (settings.protections ?? DEFAULT_PROTECTIONS).agentConfig,
    ),
  };
}

/** The `.envrc` files of a scanned root: its own and those the scan found in subdirectories. */
function envrcsOf(scan: WorkspaceScan): string[] {
  const sub = [...scan.hostRun]
    .filter(([, f]) => typeof f.what !== 'string' && f.what.name === '.envrc' && f.kind === 'file')
    .map(([path]) => path);
  return [join(scan.root, '.envrc'), ...sub];
}

/** What the start scans could not cover: a walk cut by a bound, more nested repositories than are protected. */
function scanWarnings(scans: readonly WorkspaceScan[]): string[] {
  const out: string[] = [];
  for (const s of scans) {
    if (s.truncated)
      out.push(
        `${displayPath(s.root)}: ${cutText(s)}: nested repositories and agent settings beyond that are not kept read-only`,
      );
  }
  const nested = scans.flatMap(nestedRepoRoots).length;
  if (nested > MAX_NESTED_PROTECTED)
    out.push(
      `${nested} nested git repositories: only the first ${MAX_NESTED_PROTECTED} have their config and hooks kept read-only`,
    );
  return out;
}

/** What --dry-run prints: the plan and the backend's command that would start it. */
export function planText(p: PreparedLaunch): string {
  return `${safeJson({ plan: p.plan, [p.ctx.backend.name]: p.ctx.backend.render(p.plan, p.files) }, 2)}\n`;
}

/**
 * Runs a prepared launch: prepare the workspace and session, start the host services, run the sandbox, and
 * give everything back on every way out (normal, error, SIGINT/SIGTERM/SIGHUP). Returns the exit code.
 */
export async function executeLaunch(p: PreparedLaunch): Promise<number> {
  preflight(p.request, p.plan, p.adapter, p.settings, p.ctx.config);
  for (const w of p.plan.warnings) process.stderr.write(`ags: warning: ${scrubText(w)}\n`);
  mark('planned');
  // from here on every exit path, signals included, gives back what the run holds
  const teardown = new Teardown();
  let orphans: Promise<unknown> = Promise.resolve();
  const gitRoots = [p.ctx.facts.workdir, ...p.request.addDirs];
  let gitBefore: ReturnType<typeof snapshotGitExec> | null = null;
  let gitDirsBefore: GitDirEntries | null = null;
  let markersBefore: MarkerSnapshot | null = null;
  let gitDirs: string[] = [];
  let gitBaseline: string | null = null;
  let nestedBaseline: string | null = null;
  let protectedBefore: ProtectedIdentity[] | null = null;
  let pathDirWatches: PathDirWatch[] | null = null;
  try {
    orphans = removeLeftovers(p);
    await prepareSession(p, teardown);
    await startServices(p.services, p.serviceRun, teardown);
    await writeSecrets(p);
    // what git on the host will execute, compared after the run (the mounts keep most of it read-only)
    gitBefore = snapshotGitExec(gitRoots, p.ctx.facts.home, p.ctx.facts.env);
    markersBefore = snapshotMarkers(nestedMarkers(p.scans, gitBefore), p.ctx.facts.home);
    nestedBaseline = recordNestedBaseline(
      p.runtimeDir,
      p.scans.map((s) => s.root),
      markersBefore,
      p.ctx.lockdown,
    );
    gitDirs = findGitDirs(gitRoots, p.ctx.facts.home);
    process.stderr.write(killedRunReport(cleanGitDirsOfKilledRuns(p.runtimeDir, gitDirs)));
    gitDirsBefore = scanGitDirs(gitDirs);
    gitBaseline = recordGitBaseline(p.runtimeDir, gitDirs, gitDirsBefore);
    protectedBefore = snapshotProtected(p.protectedPaths);
    const commands = hostCommandNames(
      p.ctx.facts.env,
      p.scans.map((s) => s.root),
    );
    pathDirWatches = p.scans.map((s) => watchPathDirs(envrcsOf(s), s.root, commands));
    mark('starting sandbox');
    const { outcome, guard, daemonFailure } = await runSandbox(p, teardown).finally(() => {
      // the agent shared the terminal: whatever state it left must not hide or garble what ags says next
      if (sandboxStarted(p)) resetTerminal();
    });
    checkSandboxDaemons(daemonFailure);
    return afterSandboxExit(p, outcome, guard);
  } finally {
    teardown.finish();
    await orphans;
    // first: a planted `bin/git` there runs at the very next command the user types in the repository
    if (pathDirWatches) process.stderr.write(pathDirReport(pathDirWatches.flatMap(pathDirChanges)));
    // after the sandbox exits, on every way out that got as far as the snapshot
    if (gitBefore && gitDirsBefore && markersBefore) {
      // links planted in .git go first: the snapshot below reads files git would write through them
      const removed = removePlantedGitDirEntries(gitDirsBefore, scanGitDirs(gitDirs));
      dropGitBaseline(gitBaseline);
      const home = p.ctx.facts.home;
      let after = snapshotGitExec(gitRoots, home, p.ctx.facts.env);
      let scansAfter = p.scans.map((s) => scanWorkspace(s.root));
      // then nested repositories that appeared are moved aside, before anything reports (or runs git on) them
      const moved = quarantineNewRepos(
        markersBefore,
        nestedMarkers(scansAfter, after),
        p.scans.map((s) => s.root),
        home,
        p.ctx.lockdown,
      );
      process.stderr.write(quarantineReport(moved.lines));
      dropNestedBaseline(nestedBaseline);
      if (moved.lines.length > 0) {
        after = snapshotGitExec(gitRoots, home, p.ctx.facts.env);
        scansAfter = p.scans.map((s) => scanWorkspace(s.root));
      }
      const changed = diffGitExec(gitBefore, after);
      process.stderr.write(gitExecReport([...removed, ...changed]));
      // nested repositories and host-run files that appeared: the git report above covers gitlinked ones
      const skip = new Set([...after.repos.map((r) => r.root), ...p.placeholderPaths, ...moved.roots]);
      process.stderr.write(plantedReport(plantedLines(p.scans, scansAfter, p.ctx.facts.home, skip)));
    }
    if (protectedBefore) process.stderr.write(protectedChangesReport(protectedChanges(protectedBefore)));
  }
}

/** The warning for what a killed earlier run's agent left in this repository's git dirs, removed now. */
function killedRunReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  return [
    'ags: WARNING: an earlier ags run in this repository was killed before its cleanup; finishing it now:',
    ...lines.map((l) => `ags:   ${l}`),
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/** What the reapers of killed runs finished after removing their sandboxes, said once, at the next start. */
function reapedRunReport(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  return [
    'ags: WARNING: an earlier ags run was killed; once its sandbox was gone, ags finished its cleanup:',
    ...lines.map((l) => `ags:   ${l}`),
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/**
 * Removes what killed runs left: their session dirs and recorded helpers now, and, only when there were any
 * (a killed run may have left its sandbox too), the backend's orphaned sandboxes in the background.
 */
function removeLeftovers(p: PreparedLaunch): Promise<unknown> {
  const stale = removeStaleSessions(ensureRuntimeDir(p.runtimeDir, p.ctx.facts.uid));
  return stale.length > 0 ? p.ctx.backend.removeOrphans() : Promise.resolve();
}

/**
 * The session on the host: the session dir, the security profile, the agent's home and tools dirs, the session
 * files and the mount points.
 */
async function prepareSession(p: PreparedLaunch, teardown: Teardown): Promise<void> {
  const { plan, session, settings } = p;
  createSessionDir(session);
  teardown.add(() => removeSessionDir(session));
  p.seccomp.ensure();
  const staged = settings.lockdown
    ? stageLockdownHome(settings.lockdown, settings.agentHome, p.ctx.config.sandbox.data_dir)
    : null;
  if (!staged) mkdirSync(settings.agentHome, { recursive: true, mode: 0o700 });
  mkdirSync(settings.toolsDir, { recursive: true });
  for (const f of plan.sessionFiles) {
    writeFileSync(join(session.publicDir, f.name), f.content, { mode: 0o644 });
  }
  // the directory that covers protected directories which do not exist yet (protected-paths.ts): empty but for
  // the .gitignore opencode insists on writing into its project dir (it stops with an error when it cannot),
  // which also keeps the placeholders out of `git status`
  mkdirSync(join(session.publicDir, PLACEHOLDER_DIR), { mode: 0o755 });
  writeFileSync(join(session.publicDir, PLACEHOLDER_DIR, '.gitignore'), PLACEHOLDER_GITIGNORE, {
    mode: 0o644,
  });
  const rootOwned = plan.sessionFiles
    .filter((f) => f.ownedByRoot)
    .map((f) => join(session.publicDir, f.name));
  await p.ctx.backend.handToSandboxRoot(plan, rootOwned);
  const blocked: string[] = [];
  const releaseMountpoints = claimMountpoints(mountsNeedingPoints(plan), session, p.runtimeDir, (path) => {
    blocked.push(path);
    if (!plan.hardening) {
      process.stderr.write(
        `ags: warning: ${scrubText(path)} is a symlink or not a directory: no mount points made through it\n`,
      );
    }
  });
  // only once the sandbox is gone (teardown may start early, on a signal)
  teardown.addLate(releaseMountpoints);
  // the engine would resolve that path inside the container, where a planted symlink could aim a tmpfs at
  // ags's own mounts: a hardened run fails closed
  if (plan.hardening && blocked.length > 0) {
    throw new RuntimeError(
      `${scrubText(blocked[0]!)} is a symlink or not a directory: a hardened run makes no mount through it`,
      'remove it from the sandbox home',
    );
  }
  await writeSandboxGitconfig(session.gitconfig);
  // the posture, before anything of the run starts
  if (staged) process.stderr.write(lockdownBanner(plan, staged));
}

/** A lockdown run's fresh home, staged; then the banner, which names what was staged. */
function stageLockdownHome(lockdown: LockdownSettings, home: string, dataDir: string): string[] {
  mark('staging home');
  let result;
  try {
    result = stageHome(lockdown.sourceHome, home, lockdown.staged, dataDir);
  } catch (err) {
    if (!(err instanceof StagingRefused)) throw err;
    throw new RuntimeError(
      `lockdown: not staging a home: ${scrubText(err.message)}`,
      'make the agent home (under data_dir/homes) a real directory, or point data_dir at the real path',
    );
  }
  for (const s of result.skipped) {
    process.stderr.write(
      `ags: warning: lockdown: not staging ~/${scrubText(s.path)}: ${scrubText(s.reason)}\n`,
    );
  }
  mark('home staged');
  return result.staged;
}

/** The 0600 env file of secret and passthrough values, when the plan names any. */
async function writeSecrets(p: PreparedLaunch): Promise<void> {
  if (p.plan.secretEnv.length === 0) return;
  const { facts, settings } = p.ctx;
  const values = await resolveSecrets(settings.secrets, facts.env);
  for (const name of settings.passthroughEnv) {
    const v = facts.env[name];
    if (v && !(name in values)) values[name] = v;
  }
  writeEnvFile(p.session.envFile, values);
}

/**
 * Runs the sandbox. The image is not checked first (that costs an engine call on every launch): only when the
 * backend could not create the sandbox, before its first process existed, does ags look for the image, build a
 * missing one and try once more.
 */
async function runSandbox(
  p: PreparedLaunch,
  teardown: Teardown,
): Promise<{ outcome: RunOutcome; guard?: GuardLoadReport; daemonFailure?: string | null }> {
  const { backend, facts } = p.ctx;
  const runOnce = async () => {
    if (p.plan.tty) {
      consumePendingEof();
      p.serviceRun.terminal.recordMode();
    }
    const run = backend.run(p.plan, p.files, teardown, !facts.stdinTTY, {
      terminal: p.serviceRun.terminal,
      afterKill: afterKillCommand(p.runtimeDir),
    });
    // watched from the start of each attempt; an in-process guard writes its marker when the agent loads it
    const watch = watchGuardLoad(p.plan, backend);
    // the guard server and any other daemon, started as the sandbox's root once it runs
    const daemons = startSandboxDaemons(p.plan, p.files, backend);
    let outcome: RunOutcome;
    try {
      outcome = await run;
    } catch (err) {
      watch?.finish();
      daemons?.finish();
      throw err;
    }
    return {
      outcome,
      ...(watch ? { guard: watch.finish() } : {}),
      ...(daemons ? { daemonFailure: daemons.finish() } : {}),
    };
  };
  const first = await runOnce();
  if (
    !first.outcome.signalled &&
    backend.couldNotCreate(first.outcome.status) &&
    !sandboxStarted(p) &&
    !(await backend.imageExists(p.plan.image))
  ) {
    await buildMissingImage(p.ctx);
    return runOnce();
  }
  return first;
}

/** Whether the sandbox's first process ever existed (the backend writes the pid file only then). */
function sandboxStarted(p: PreparedLaunch): boolean {
  return p.files.pidFile !== undefined && existsSync(p.files.pidFile);
}

/**
 * After the sandbox exits: a run stopped for its guard says so first; the backend's own failure becomes one
 * line; then a guard that never reported in is said; otherwise the agent's status is the run's.
 */
function afterSandboxExit(
  p: PreparedLaunch,
  outcome: RunOutcome,
  guard: GuardLoadReport | undefined,
): number {
  // a run stopped for its guard ends however the backend reports the removal: say why first
  checkGuardLoaded(p.plan, guard, 'during');
  const failure = outcome.signalled ? null : p.ctx.backend.startFailure(outcome.status, sandboxStarted(p));
  if (failure) throw failure;
  checkGuardLoaded(p.plan, guard, 'after');
  return outcome.status;
}
