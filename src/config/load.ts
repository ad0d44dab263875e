import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../cli/errors.js';
import { errorAt, schemaError, type SourceFile } from './errors.js';
import { expandPaths, expansionEnv } from './expand.js';
import { defaultUserConfigPath, findRepoRoot, overlayPath, trustStorePath } from './locate.js';
import { mergeRaw } from './merge.js';
import { computeOrigins, type Origin } from './origin.js';
import { checkOverlay, describeOverlay } from './overlay.js';
import { keyPositions, PositionMap } from './positions.js';
import { isYes, stdio, type ConfigIO } from './prompt.js';
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
}

export type OverlayStatus = 'applied' | 'untrusted-skipped' | 'declined' | 'absent';

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

function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason =
      e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new ConfigError(`cannot read ${what} ${path}: ${reason}`);
  }
}

/** Parses TOML text; a syntax error becomes a located ConfigError. */
export function parseSource(path: string, text: string): SourceFile {
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const what = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      const line = text.split('\n')[err.line - 1]?.trim();
      throw errorAt(
        path,
        { line: err.line, col: err.column },
        [],
        `invalid TOML: ${what}`,
        line ? `at: ${line}` : 'see https://toml.io for the syntax',
      );
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

/** Reads, parses, checks and expands one config file. Relative paths resolve against its directory. */
export function readConfigFile(path: string, role: FileRole, env: NodeJS.ProcessEnv): ReadFile {
  const bytes = readBytes(path, role === 'overlay' ? 'the repo overlay' : 'the config file');
  const file = parseSource(path, bytes.toString('utf8'));
  checkFile(file, role);
  return { file, bytes, expanded: expandPaths(file, expansionEnv(env), dirname(path)) };
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
  if (opts.configPath !== undefined) {
    const path = resolve(opts.cwd, opts.configPath);
    if (!existsSync(path)) {
      throw new ConfigError(
        `config file not found: ${path}`,
        `create it with \`ags --config ${opts.configPath} config init\`, or leave out --config to use the default`,
      );
    }
    user = readConfigFile(path, 'user', opts.env);
    userConfigPath = path;
  } else {
    const path = defaultUserConfigPath(opts.env);
    if (existsSync(path)) {
      user = readConfigFile(path, 'user', opts.env);
      userConfigPath = path;
    }
  }

  const repoRoot = await findRepoRoot(opts.cwd, opts.env);
  const overlay: LoadedConfig['overlay'] = { path: '', status: 'absent' };
  let applied: ReadFile | null = null;
  if (repoRoot !== null) {
    overlay.path = overlayPath(repoRoot);
    if (existsSync(overlay.path) && !sameFile(overlay.path, userConfigPath)) {
      // Validated before anyone is asked to trust it: a broken or overreaching overlay is an error.
      const candidate = readConfigFile(overlay.path, 'overlay', opts.env);
      overlay.status = await decideTrust(candidate, repoRoot, opts, io);
      if (overlay.status === 'applied') applied = candidate;
    }
  }

  let raw = defaultsRaw(opts.env);
  if (user) raw = mergeRaw(raw, user.expanded);
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

  const path = overlay.file.path;
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
      ? `ags: it changed since you trusted it on ${previous.trusted_at} (sha256 ${hash.slice(0, 12)}); if applied, it would:`
      : `ags: it is not trusted yet (sha256 ${hash.slice(0, 12)}); if applied, it would:`,
  );
  const lines = describeOverlay(overlay.expanded);
  for (const line of lines.length > 0 ? lines : ['(change nothing)']) io.warn(`  - ${line}`);
  const answer = await io.ask('Trust this overlay? [y/N] ');
  if (!isYes(answer)) {
    io.warn(`ags: not trusted; skipping ${path}`);
    return 'declined';
  }
  addTrust(storePath, { repo, sha256: hash, overlay: path });
  io.warn(`ags: trusted; applying ${path}`);
  return 'applied';
}
