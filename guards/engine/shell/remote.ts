/**
 * Commands run somewhere else: `kubectl exec … -- cmd`, `docker|podman|nerdctl exec|run [opts] CONTAINER cmd`,
 * `docker compose|docker-compose|podman-compose exec|run [opts] SERVICE cmd`, and `ssh [opts] HOST cmd…`. Rules
 * still apply there: a database or a home directory on the other end is as real as a local one.
 */
import { resolveLexical, type PathContext } from '../paths.js';
import type { Word } from './ast.js';
import type { Invocation } from './invocation.js';

const DOCKER_EXEC_WITH_ARG = new Set([
  '-e',
  '--env',
  '--env-file',
  '-u',
  '--user',
  '-w',
  '--workdir',
  '--detach-keys',
  '--index',
]);
/** `docker run` / `compose run` options that take a value (the common ones; an unknown one ends the option scan). */
const DOCKER_RUN_WITH_ARG = new Set([
  ...DOCKER_EXEC_WITH_ARG,
  '-v',
  '--volume',
  '-p',
  '--publish',
  '--name',
  '--network',
  '--net',
  '--entrypoint',
  '--mount',
  '-l',
  '--label',
  '-h',
  '--hostname',
  '--platform',
  '--pull',
  '-m',
  '--memory',
  '--cpus',
  '--add-host',
  '--dns',
  '--cap-add',
  '--cap-drop',
  '--security-opt',
  '--userns',
  '--tmpfs',
  '--ulimit',
  '--device',
  '--gpus',
  '--restart',
  '--log-driver',
]);
/** `docker compose` options before the subcommand that take a value. */
const COMPOSE_GLOBAL_WITH_ARG = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--project-directory',
  '--env-file',
  '--profile',
  '--ansi',
  '--parallel',
]);
const SSH_WITH_ARG = new Set('-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B -P'.split(' '));

export interface RemoteCommand {
  how: string;
  /** The command's words, when they reach the other end as words. */
  words?: Word[];
  /** The command as one string a remote shell parses (ssh). */
  text: string | null;
}

/** Skips options (and the values of those in `withArg`) from `i`; returns the index of the first operand. */
function skipOptions(a: Invocation['args'], i: number, withArg: Set<string>): number {
  while (i < a.length && (a[i]!.value ?? '').startsWith('-')) {
    const v = a[i]!.value!;
    if (v === '--') return i + 1;
    if (withArg.has(v)) i++;
    i++;
  }
  return i;
}

/** `-v SRC:DST`, `--volume=SRC:DST`, `--mount type=bind,src=SRC,dst=DST`: host directories a container sees. */
function bindMounts(a: Invocation['args'], end: number, at: PathContext): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const text = (w: Word): string | null => {
    let s = '';
    for (const p of w.parts) {
      if (p.k === 'lit') s += p.v;
      else if (p.k === 'param' && p.op === '' && (p.name === 'HOME' || p.name === 'PWD'))
        s += p.name === 'HOME' ? at.home : at.cwd;
      else return null;
    }
    return s;
  };
  for (let i = 0; i < end; i++) {
    const v = a[i]!.value;
    let spec: string | null = null;
    if (v === '-v' || v === '--volume') spec = a[i + 1] ? text(a[i + 1]!.word) : null;
    else if (v?.startsWith('--volume=')) spec = v.slice(9);
    else if (v === '--mount' && a[i + 1]) {
      const m = text(a[i + 1]!.word) ?? '';
      const src = /(?:^|,)(?:src|source)=([^,]+)/.exec(m)?.[1];
      const dst = /(?:^|,)(?:dst|target|destination)=([^,]+)/.exec(m)?.[1];
      if (src && dst) spec = `${src}:${dst}`;
    }
    const m = spec === null ? null : /^([~./][^:]*):(\/[^:]*)/.exec(spec);
    if (m) out.push([resolveLexical(m[1]!, at), m[2]!.replace(/\/+$/, '') || '/']);
  }
  return out;
}

/** Words with a container path under a bind mount rewritten to the host path (`rm -rf /h` with `-v ~:/h`). */
function onHost(words: Word[], mounts: Array<[string, string]>): Word[] {
  if (mounts.length === 0) return words;
  const swap = (v: string) => {
    for (const [src, dst] of mounts) {
      const re = new RegExp(
        `(^|[\\s'"=:])${dst.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$|[\\s'";])`,
        'g',
      );
      v = v.replace(re, (_m, pre: string) => pre + src);
    }
    return v;
  };
  return words.map((w) =>
    w.parts.every((p) => p.k === 'lit')
      ? { ...w, parts: w.parts.map((p) => (p.k === 'lit' ? { ...p, v: swap(p.v) } : p)), raw: swap(w.raw) }
      : w,
  );
}

export function remoteCommand(inv: Invocation, at?: PathContext): RemoteCommand | null {
  const n = inv.name;
  const a = inv.args;
  if ((n === 'kubectl' || n === 'oc' || n === 'k') && a.some((x) => x.value === 'exec')) {
    const dd = a.findIndex((x) => x.value === '--');
    return dd === -1 || dd + 1 >= a.length
      ? null
      : { how: `${n} exec`, words: a.slice(dd + 1).map((x) => x.word), text: null };
  }
  if (
    n === 'docker' ||
    n === 'podman' ||
    n === 'nerdctl' ||
    n === 'docker-compose' ||
    n === 'podman-compose'
  ) {
    let i = 0;
    let how = n;
    const compose = n.endsWith('-compose') || a[0]?.value === 'compose';
    if (compose) {
      if (!n.endsWith('-compose')) i = 1;
      i = skipOptions(a, i, COMPOSE_GLOBAL_WITH_ARG);
      how += ' compose';
    }
    const sub = a[i]?.value;
    if (sub !== 'exec' && sub !== 'run') return null;
    i = skipOptions(a, i + 1, sub === 'exec' ? DOCKER_EXEC_WITH_ARG : DOCKER_RUN_WITH_ARG);
    const mounts = sub === 'run' && at ? bindMounts(a, i, at) : [];
    i++; // the container, image or service
    return i < a.length
      ? {
          how: `${how} ${sub}`,
          words: onHost(
            a.slice(i).map((x) => x.word),
            mounts,
          ),
          text: null,
        }
      : null;
  }
  if (n === 'ssh') {
    const i = skipOptions(a, 0, SSH_WITH_ARG) + 1; // after the host
    const rest = a.slice(i);
    if (rest.length === 0) return null;
    // the remote shell parses the words joined by spaces; they are also checked as the words the user meant
    // (`ssh db psql -c "DROP TABLE t"` reaches the server as `psql -c DROP TABLE t`, but means the quoted one)
    return {
      how: 'ssh',
      words: rest.map((x) => x.word),
      text: rest.every((x) => x.value !== null) ? rest.map((x) => x.value).join(' ') : null,
    };
  }
  return null;
}
