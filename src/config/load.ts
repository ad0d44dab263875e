import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError, UsageError } from '../errors.js';
import { escapeText } from '../util/terminal-text.js';
import { errorAt, schemaError, type SourceFile } from './errors.js';
import { OVERLAY_VARIABLES, expandPaths, expansionEnv } from './expand.js';
import { defaultUserConfigPath, findRepoRoot, overlayPath, trustStorePath } from './locate.js';
import { mergeRaw } from './merge.js';
import { computeOrigins, type Origin } from './origin.js';
import { checkOverlay, describeOverlay } from './overlay.js';
import { keyPositions, PositionMap } from './positions.js';
import { checkReservedTargets } from './reserved-targets.js';
import { isYes, stdio, type ConfigIO } from './prompt.js';
import { readOverlayFileBytes, readRepoOverlayBytes, readUserConfigBytes } from './read-source.js';
import { ConfigSchema, type Config } from './schema.js';
import { addTrust, isTrusted, readTrustStore, sha256 } from './trust.js';

export type FileRole = 'user' | 'overlay';

export interface LoadOptions {
  /** `--config PATH`: must exist. Without it, the XDG default is used when it exists. */
  configPath?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdin and stderr are terminals: an untrusted overlay may be asked about. */
  interactive: boolean;
  /** Terminal access, for tests; defaults to the process's stdin/stderr. */
  io?: ConfigIO;
  /**
   * Called with the directory a run would mount as its workspace (the repository's top level, else `cwd`)
   * and the configuration without the overlay, before the overlay is read or anyone is asked to trust it;
   * `found` says where the run started (real path) and whether the workspace is a repository's top level.
   */
  checkWorkspace?: (
    workspace: string,
    userConfig: Config,
    userConfigPath: string | null,
    found: { cwd: string; repository: boolean },
  ) => void;
  /**
   * Asked with the configuration without the overlay: false leaves the repository's overlay unread (not opened,
   * not parsed), as lockdown does. Absent: the overlay is read.
   */
  readOverlay?: (userConfig: Config) => boolean;
}

export type OverlayStatus = 'applied' | 'untrusted-skipped' | 'declined' | 'absent' | 'not-read';

export interface LoadedConfig {
  config: Config;
  /** The user config file that was read, or null when none exists (built-in defaults). */
  userConfigPath: string | null;
  /** `path` is `<repo>/.ags/config.toml`, or '' outside a git repository. */
  overlay: { path: string; status: OverlayStatus };
  repoRoot: string | null;
  /** Where each value came from, keyed like `sandbox.image`, `mount[0]`, `agents.claude.env.FOO`. */
  origins: Record<string, Origin>;
}

/**
 * The user config file named by `--config PATH` (relative to `cwd`), or the XDG default when there is no
 * `--config`. `--config ''` is a usage error, never a quiet fall-back to the default. Shared by runs and
 * the config commands.
 */
export function resolveUserConfigPath(
  configPath: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
): string {
  if (configPath === undefined) return defaultUserConfigPath(env);
  if (configPath === '') {
    throw new UsageError(
      '--config needs a path',
      'give the config file to use, or leave out --config for the default',
    );
  }
  return resolve(cwd, configPath);
}

/** Characters of the offending line a TOML syntax error quotes, on each side of the error's column. */
const EXCERPT_SIDE = 40;

/** The part of `line` around 1-based column `col`, escaped, with "..." where it was cut. */
export function excerptAround(line: string, col: number): string {
  const lead = line.length - line.trimStart().length;
  const text = line.trim();
  const at = Math.max(0, col - 1 - lead);
  const start = Math.max(0, at - EXCERPT_SIDE);
  const end = Math.min(text.length, at + EXCERPT_SIDE);
  const body = escapeText(text.slice(start, end), EXCERPT_SIDE * 2 * 4);
  return `${start > 0 ? '...' : ''}${body}${end < text.length ? '...' : ''}`;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(path: string, bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ConfigError(
      `${escapeText(path, 4096)}: not a text file (it is not valid UTF-8)`,
      'a config file is TOML, which is UTF-8 text; check that the path names the right file',
    );
  }
}

/**
 * Parses TOML text; a syntax error becomes a located ConfigError. The error quotes a short, escaped piece of
 * the line for a user config, and nothing of a repo overlay: that is the repository's text, read before
 * anyone trusted it, and its location is enough to find the mistake.
 */
export function parseSource(path: string, text: string, role: FileRole = 'user'): SourceFile {
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const what = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      const line = text.split('\n')[err.line - 1] ?? '';
      const hint =
        role === 'overlay'
          ? 'open the overlay at that line (ags does not echo the content of a repo overlay); see https://toml.io for the syntax'
          : line.trim() !== ''
            ? `at: ${excerptAround(line, err.column)}`
            : 'see https://toml.io for the syntax';
      throw errorAt(path, { line: err.line, col: err.column }, [], `invalid TOML: ${what}`, hint);
    }
    throw err;
  }
  return { path, raw, positions: keyPositions(text) };
}

/** Checks a parsed file against the schema, and against the overlay rules when it is an overlay. */
export function checkFile(file: SourceFile, role: FileRole): void {
  const result = ConfigSchema.safeParse(file.raw);
  if (!result.success) throw schemaError(result.error.issues, file);
  if (role === 'overlay') checkOverlay(file);
}

export interface ReadFile {
  file: SourceFile;
  bytes: Buffer;
  /** The file's own keys, checked, with every host path expanded and absolute. */
  expanded: Record<string, unknown>;
}

/** Parses, checks and expands the bytes of one config file. Relative paths resolve against its directory. */
function checkBytes(path: string, bytes: Buffer, role: FileRole, env: NodeJS.ProcessEnv): ReadFile {
  const file = parseSource(path, decode(path, bytes), role);
  checkFile(file, role);
  const allowed = role === 'overlay' ? OVERLAY_VARIABLES : undefined;
  const xenv = expansionEnv(env);
  const expanded = expandPaths(file, xenv, dirname(path), allowed);
  checkReservedTargets(file, expanded, xenv.HOME!);
  return { file, bytes, expanded };
}

/**
 * Reads, parses, checks and expands one config file: a regular file of at most 1 MiB (see read-source.ts);
 * as an overlay, not a symbolic link either.
 */
export function readConfigFile(path: string, role: FileRole, env: NodeJS.ProcessEnv): ReadFile {
  const bytes = role === 'overlay' ? readOverlayFileBytes(path) : readUserConfigBytes(path);
  return checkBytes(path, bytes, role, env);
}

/** The overlay of a repository, read as readRepoOverlayBytes allows, checked; null when there is none. */
export function readRepoOverlay(repoRoot: string, env: NodeJS.ProcessEnv): ReadFile | null {
  const bytes = readRepoOverlayBytes(repoRoot);
  return bytes === null ? null : checkBytes(overlayPath(repoRoot), bytes, 'overlay', env);
}

/** The built-in defaults as a raw table, host paths expanded. */
function defaultsRaw(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const raw = ConfigSchema.parse({}) as unknown as Record<string, unknown>;
  const file: SourceFile = { path: '<built-in defaults>', positions: new PositionMap(), raw };
  return expandPaths(file, expansionEnv(env), null);
}

function finish(raw: Record<string, unknown>): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    // Every file was checked on its own; a failure here is a bug in merging, not in the user's files.
    throw new Error(`merged config failed validation: ${result.error.message}`);
  }
  return result.data;
}

/** The configuration when no file exists: every default, host paths expanded for this environment. */
export function defaultConfig(env: NodeJS.ProcessEnv): Config {
  return finish(defaultsRaw(env));
}

function sameFile(a: string, b: string | null): boolean {
  if (b === null) return false;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Loads the effective configuration: built-in defaults, then the user config, then the repo overlay of
 * the git repository around `cwd` when the user trusts exactly its current content.
 */
export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig> {
  const io = opts.io ?? stdio;
  let userConfigPath: string | null = null;
  let user: ReadFile | null = null;
  const path = resolveUserConfigPath(opts.configPath, opts.cwd, opts.env);
  if (opts.configPath !== undefined && !existsSync(path)) {
    throw new ConfigError(
      `config file not found: ${escapeText(path, 4096)}`,
      `create it with \`ags --config ${escapeText(opts.configPath, 4096)} config init\`, or leave out --config to use the default`,
    );
  }
  if (existsSync(path)) {
    user = readConfigFile(path, 'user', opts.env);
    userConfigPath = path;
  }

  const repoRoot = await findRepoRoot(opts.cwd, opts.env);
  let raw = defaultsRaw(opts.env);
  if (user) raw = mergeRaw(raw, user.expanded);
  const realCwd = realpathSync(opts.cwd);
  const userOnly = finish(raw);
  opts.checkWorkspace?.(repoRoot ?? realCwd, userOnly, userConfigPath, {
    cwd: realCwd,
    repository: repoRoot !== null,
  });
  const overlay: LoadedConfig['overlay'] = { path: '', status: 'absent' };
  let applied: ReadFile | null = null;
  const wantOverlay = opts.readOverlay?.(userOnly) ?? true;
  if (repoRoot !== null && !wantOverlay) {
    overlay.path = overlayPath(repoRoot);
    overlay.status = 'not-read';
  } else if (repoRoot !== null) {
    overlay.path = overlayPath(repoRoot);
    // Validated before anyone is asked to trust it: a broken or overreaching overlay is an error.
    const candidate = sameFile(overlay.path, userConfigPath) ? null : readRepoOverlay(repoRoot, opts.env);
    if (candidate !== null) {
      overlay.status = await decideTrust(candidate, repoRoot, opts, io);
      if (overlay.status === 'applied') applied = candidate;
    }
  }

  if (applied) raw = mergeRaw(raw, applied.expanded);
  const config = finish(raw);
  return {
    config,
    userConfigPath,
    overlay,
    repoRoot,
    origins: computeOrigins(config, user?.file.raw ?? null, applied?.file.raw ?? null),
  };
}

async function decideTrust(
  overlay: ReadFile,
  repoRoot: string,
  opts: LoadOptions,
  io: ConfigIO,
): Promise<OverlayStatus> {
  const repo = realpathSync(repoRoot);
  const hash = sha256(overlay.bytes);
  const storePath = trustStorePath(opts.env);
  const entries = readTrustStore(storePath);
  if (isTrusted(entries, repo, hash)) return 'applied';

  const path = escapeText(overlay.file.path, 4096);
  if (!opts.interactive) {
    io.warn(
      `ags: warning: skipping the untrusted repo overlay ${path} (no terminal to ask; run \`ags config show\` in a terminal to review and trust it)`,
    );
    return 'untrusted-skipped';
  }

  const previous = entries.find((e) => e.repo === repo);
  io.warn(`ags: this repository has a config overlay: ${path}`);
  io.warn(
    previous
      ? `ags: it changed since you trusted it on ${escapeText(previous.trusted_at, 64)} (sha256 ${hash.slice(0, 12)}); if applied, it would:`
      : `ags: it is not trusted yet (sha256 ${hash.slice(0, 12)}); if applied, it would:`,
  );
  // escaped and bounded: the overlay cannot hide a line, draw over one, or push the question off screen
  const lines = describeOverlay(overlay.expanded);
  for (const line of lines.length > 0 ? lines : ['(change nothing)']) io.warn(`  - ${line}`);
  const answer = await io.ask('Trust this overlay? [y/N] ');
  if (!isYes(answer)) {
    io.warn(`ags: not trusted; skipping ${path}`);
    return 'declined';
  }
  addTrust(storePath, { repo, sha256: hash, overlay: overlay.file.path });
  io.warn(`ags: trusted; applying ${path}`);
  return 'applied';
}
