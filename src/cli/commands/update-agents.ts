import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { execa } from 'execa';
import { ADAPTERS, AGENT_NAMES, type AgentAdapter } from '../../../agents/index.js';
import { installState } from '../../host/agent-install.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { type ReportExit, returningExit } from '../command-exit.js';
import { configPathOf, ensureImage, loadSandboxContext } from '../../launch/context.js';

async function hostNpmConfig(key: string): Promise<string | undefined> {
  try {
    const r = await execa('npm', ['config', 'get', key], { reject: false, stdin: 'ignore' });
    const v = String(r.stdout).trim();
    return r.exitCode === 0 && v && v !== 'null' && v !== 'undefined' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The version of an installed package in the tools volume, or null (missing or damaged). */
export function installedVersion(toolsDir: string, pkg: string): string | null {
  const s = installState(toolsDir, pkg);
  return s.state === 'installed' ? s.version : null;
}

/** `claude` or `claude@2.1.330`: the adapter and the npm version (or dist-tag) to install. */
export function parseAgentSpec(spec: string): { adapter: AgentAdapter; version: string } {
  const at = spec.indexOf('@');
  const name = at === -1 ? spec : spec.slice(0, at);
  const version = at === -1 ? 'latest' : spec.slice(at + 1);
  const installable = AGENT_NAMES.filter((n) => ADAPTERS[n].npmPackage);
  const adapter = ADAPTERS[name as keyof typeof ADAPTERS];
  if (!adapter) throw new UsageError(`unknown agent '${name}'`, `choose from: ${installable.join(', ')}`);
  if (!adapter.npmPackage) throw new UsageError(`${name} is not installed by ags (it is part of the image)`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(version)) {
    throw new UsageError(
      `'${version}' is not a version or dist-tag`,
      `for example: ${name}@latest or ${name}@1.2.3`,
    );
  }
  return { adapter, version };
}

/** `ags update-agents [NAME...]`: installs or updates the agent CLIs in the persistent tools volume. */
export function updateAgentsCommand(report: ReportExit): Command {
  const installable = AGENT_NAMES.filter((n) => ADAPTERS[n].npmPackage);
  return new Command('update-agents')
    .description(
      `install or update agent CLIs in the sandbox tools volume (default: ${installable.join(', ')})`,
    )
    .argument('[names...]', 'agents to install, each optionally pinned: NAME@VERSION (default: @latest)')
    .action(
      returningExit(report, async (names: string[], _opts: unknown, cmd: Command) => {
        const requests = (names.length ? names : installable).map(parseAgentSpec);
        const chosen = requests.map((r) => r.adapter);
        const ctx = await loadSandboxContext('shell', configPathOf(cmd));
        await ensureImage(ctx);
        const npmCacheDir = join(ctx.config.sandbox.cache_dir, 'npm');
        mkdirSync(ctx.settings.toolsDir, { recursive: true });
        mkdirSync(npmCacheDir, { recursive: true });
        const before = new Map(
          chosen.map((a) => [a.name, installedVersion(ctx.settings.toolsDir, a.npmPackage!)]),
        );
        const registry = await hostNpmConfig('registry');
        const caFile = await hostNpmConfig('cafile');
        const packages = requests.map((r) => `${r.adapter.npmPackage}@${r.version}`);
        process.stderr.write(`ags: installing ${packages.join(', ')} into ${ctx.settings.toolsDir}\n`);
        const r = await ctx.backend.installAgents({
          image: ctx.settings.image,
          toolsDir: ctx.settings.toolsDir,
          npmCacheDir,
          packages,
          ...(registry ? { registry } : {}),
          ...(caFile && existsSync(caFile) ? { caFile } : {}),
        });
        if (r.signalled) return r.status;
        if (r.status !== 0) {
          throw new RuntimeError(
            `npm install failed in the sandbox (exit ${r.status})`,
            "read npm's output above",
          );
        }
        process.stdout.write('agent            package                               version\n');
        for (const a of chosen) {
          const now = installedVersion(ctx.settings.toolsDir, a.npmPackage!);
          const was = before.get(a.name);
          const change = was === now ? '(unchanged)' : was ? `(was ${was})` : '(new)';
          process.stdout.write(
            `${a.name.padEnd(16)} ${a.npmPackage!.padEnd(37)} ${now ?? 'MISSING'} ${change}\n`,
          );
          if (!now) throw new RuntimeError(`${a.npmPackage} did not install`);
        }
        return 0;
      }),
    );
}
