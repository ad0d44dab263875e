/**
 * Compose projects: `down -v` and `rm -v` delete the project's volumes, which hold its databases. The subcommand
 * comes after compose's own options (`docker compose -f prod.yml -p app down -v`). A stack whose compose file or
 * project name says it is a test stack (`-f docker-compose.test.yml`, `-p app-ci`) is throwaway by name.
 */
import type { Invocation } from '../shell/invocation.js';

const COMPOSE_WITH_ARG = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--env-file',
  '--profile',
  '--project-directory',
  '--ansi',
  '--parallel',
  '--progress',
  '-H',
  '--host',
  '--context',
  '-c',
  '--config',
  '-l',
  '--log-level',
  '--connection',
]);
/** A name that says the object is throwaway: `app-test-1`, `docker-compose.ci.yml`, `e2e`, `tmp_db`. */
export const THROWAWAY_NAME = /(?:^|[-_./])(?:test|tests|testing|ci|e2e|tmp|temp|scratch)(?:[-_.0-9]|$)/i;

/** What `compose down -v` / `compose rm -v` deletes, or false. `from`: the index after `compose`. */
function composeVolumes(inv: Invocation, from: number): string | false {
  const names: string[] = [];
  let sub: string | null = null;
  let i = from;
  for (; i < inv.args.length; i++) {
    const v = inv.args[i]!.value;
    if (v === null) return false;
    if (COMPOSE_WITH_ARG.has(v)) {
      const n = inv.args[i + 1]?.value;
      if (n && /^(?:-f|--file|-p|--project-name)$/.test(v)) names.push(n);
      i++;
      continue;
    }
    const eq = /^(--file|--project-name)=(.*)$/.exec(v);
    if (eq) names.push(eq[2]!);
    if (v.startsWith('-')) continue;
    sub = v;
    break;
  }
  if (sub !== 'down' && sub !== 'rm') return false;
  let volumes = false;
  for (const a of inv.args.slice(i + 1)) {
    const v = a.value ?? '';
    if (v === '--') break;
    if (v === '--volumes' || v.startsWith('--volumes=')) volumes = !/=(?:false|0)$/.test(v);
    else if (/^-[a-zA-Z]+$/.test(v) && v.includes('v')) volumes = true;
  }
  if (!volumes) return false;
  if (names.length > 0 && names.every((n) => THROWAWAY_NAME.test(n.split('/').pop()!))) return false;
  return `compose ${sub} -v${names.length ? ' (' + names.join(' ') + ')' : ''}`;
}

/** `docker compose … down -v`, `podman compose …`, `docker-compose …`, `podman-compose …`. */
export function composeDeletesVolumes(inv: Invocation): string | false {
  if (inv.name === 'docker-compose' || inv.name === 'podman-compose') return composeVolumes(inv, 0);
  const ci = inv.args.findIndex((a) => a.value === 'compose');
  return ci === -1 ? false : composeVolumes(inv, ci + 1);
}
