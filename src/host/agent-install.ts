import { lstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentAdapter } from '../../agents/types.js';
import { RuntimeError } from '../errors.js';

/** What the tools volume holds of one npm package. */
export type InstallState =
  { state: 'missing' } | { state: 'installed'; version: string } | { state: 'damaged'; why: string };

const MAX_MANIFEST_BYTES = 1024 * 1024;
/** A version string shown on the terminal: npm's own form, nothing that could carry escape sequences. */
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;

/**
 * Reads `<toolsDir>/lib/node_modules/<pkg>/package.json`. The tools volume is written by package install
 * scripts, so the manifest is bounded and its version checked before it reaches the terminal; a broken one
 * is reported as damaged, never thrown.
 */
export function installState(toolsDir: string, pkg: string): InstallState {
  const manifest = join(toolsDir, 'lib', 'node_modules', pkg, 'package.json');
  let size: number;
  try {
    size = statSync(manifest).size;
  } catch {
    return { state: 'missing' };
  }
  if (size > MAX_MANIFEST_BYTES) return { state: 'damaged', why: 'its package.json is too large' };
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown } | null)?.version;
  } catch {
    return { state: 'damaged', why: 'its package.json is not valid JSON' };
  }
  if (typeof version !== 'string' || !VERSION.test(version)) {
    return { state: 'damaged', why: 'its package.json has no valid version' };
  }
  return { state: 'installed', version };
}

/** Whether a run of this agent will find its command, as far as the host can tell without starting anything. */
export type CommandState = 'present' | 'missing' | 'damaged' | 'unknown';

/**
 * Where a run finds the agent's command: the tools volume's `bin` (`ags update-agents`; read-only in runs, so the
 * plan starts it there by absolute path), else the sandbox home's `~/.local/bin` (a native installer's place,
 * agent-writable), or neither. Agents that are part of the image (the shell) are 'unknown' here. The sandbox home
 * belongs to the agent, so its entry is only looked at (lstat), never followed; a link in the tools volume that
 * leads nowhere is a damaged install.
 */
export type CommandLocation = 'tools' | 'home' | 'missing' | 'damaged' | 'unknown';

export function agentCommandLocation(
  adapter: AgentAdapter,
  toolsDir: string,
  agentHome: string,
): CommandLocation {
  if (!adapter.npmPackage) return 'unknown';
  const bin = join(toolsDir, 'bin', adapter.command);
  if (exists(() => statSync(bin))) return 'tools';
  if (exists(() => lstatSync(join(agentHome, '.local', 'bin', adapter.command)))) return 'home';
  return exists(() => lstatSync(bin)) ? 'damaged' : 'missing';
}

export function agentCommandState(adapter: AgentAdapter, toolsDir: string, agentHome: string): CommandState {
  const at = agentCommandLocation(adapter, toolsDir, agentHome);
  return at === 'tools' || at === 'home' ? 'present' : at;
}

function exists(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses, before anything starts, a run of an agent whose command is not installed, instead of the init's
 * "failed to exec pid1". Only where the host can know: ags's own image bakes no agent in, so with a
 * `sandbox.containerfile` of your own (or a PATH of your own for the agent) the image may have it and the
 * run goes ahead.
 */
export function assertAgentInstalled(
  adapter: AgentAdapter,
  where: { toolsDir: string; agentHome: string },
  hostDecides: boolean,
): void {
  if (!hostDecides) return;
  const state = agentCommandState(adapter, where.toolsDir, where.agentHome);
  const fix = `run \`ags update-agents ${adapter.name}\``;
  const bin = join(where.toolsDir, 'bin', adapter.command);
  if (state === 'missing') throw new RuntimeError(`${adapter.name} is not installed (no ${bin})`, fix);
  if (state === 'damaged') {
    throw new RuntimeError(`${adapter.name}'s install is damaged (${bin} leads to no file)`, fix);
  }
}
