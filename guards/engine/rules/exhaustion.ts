/**
 * Resource exhaustion the sandbox cannot take back: processes started without end (from inline code; the shell
 * form is `spawnsItself`, set by the walk) and disk filled from an endless source (`dd if=/dev/zero` without a
 * count, `yes > f`, `cat /dev/urandom > f`, `fallocate -l 100G`).
 */
import { posix } from 'node:path';
import type { Invocation } from '../shell/invocation.js';
import { operands } from './args.js';
import type { RuleContext } from './types.js';
import { writesOf } from './writes.js';

/** A loop in code that never ends on its own, followed closely by a process start, or perl's `fork while fork`. */
const CODE_LOOP =
  /(?:\bwhile\s*\(?\s*(?:true|True|1|!0|!false)\s*\)?\s*(?::|\{|do\b)?|\bfor\s*\(\s*;\s*;\s*\)|\bloop\s*(?:\{|do\b)|\buntil\s*\(?\s*false\s*\)?)([\s\S]{0,200})/g;
const PROCESS_START =
  /\b(?:os\.fork|fork|forkpty|spawn|spawnSync|exec|execSync|execFile|Popen|system|popen|Process\.spawn|cluster\.fork)\s*[({]?/;
const POSTFIX_FORK = /\bfork\b\s*(?:\(\s*\))?\s*(?:while|until)\b/;
/** A body that stops or paces itself is a poller, not a bomb. */
const BOUNDED = /\b(?:break|return|exit|sleep|wait|waitpid|join)\b/;

export function codeForkLoop(code: string): string | null {
  if (POSTFIX_FORK.test(code)) return 'fork while …';
  CODE_LOOP.lastIndex = 0;
  for (const m of code.matchAll(CODE_LOOP)) {
    const body = m[1]!;
    const start = PROCESS_START.exec(body);
    if (start && !BOUNDED.test(body))
      return `${m[0].slice(0, m[0].length - body.length).trim()} … ${start[0]}`;
  }
  return null;
}

/** Sizes as dd, fallocate and head write them: `1G`, `500M`, `2T`, `1GiB`, `1GB`, `512` (bytes). */
export function parseSize(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtpe]?)(i?b?)$/i.exec(s.trim());
  if (!m) return null;
  const pow = ' kmgtpe'.indexOf(m[2]!.toLowerCase() || ' ');
  const base = m[3]!.toLowerCase() === 'b' && m[2] ? 1000 : 1024;
  return Number(m[1]) * base ** Math.max(pow, 0);
}

const GIB = 1024 ** 3;
const ENDLESS_DEVICES = /^\/dev\/(?:zero|u?random|full)$/;
const HARMLESS_SINKS = /^\/dev\/(?:null|stdout|stderr|tty|fd\/[12])$/;
/** Commands that stop reading after a bound: downstream of one, an endless source ends. */
const BOUNDERS = new Set([
  'head',
  'tail',
  'sed',
  'awk',
  'grep',
  'timeout',
  'dd',
  'cut',
  'wc',
  'sort',
  'uniq',
]);

/** A command whose output never ends: `yes`, `cat /dev/zero`, `head -c 200G /dev/zero`. */
function endlessSource(inv: Invocation): string | null {
  if (inv.name === 'yes') return 'yes';
  const devs = inv.args.filter((a) => a.value !== null && ENDLESS_DEVICES.test(a.value));
  if (devs.length === 0) return null;
  if (inv.name === 'cat' || inv.name === 'pv' || inv.name === 'tac') return `${inv.name} ${devs[0]!.value}`;
  if (inv.name === 'head' || inv.name === 'tail') {
    const v = inv.args.map((a) => a.value ?? '');
    const c = v.findIndex((x) => x === '-c' || x === '--bytes');
    const size =
      c !== -1 ? v[c + 1] : v.find((x) => /^(?:-c|--bytes=)\d/.test(x))?.replace(/^(?:-c|--bytes=)/, '');
    const n = size === undefined ? null : parseSize(size);
    return n !== null && n >= GIB ? `${inv.name} -c ${size} ${devs[0]!.value}` : null;
  }
  return null;
}

function fileWrites(inv: Invocation, ctx: RuleContext): string[] {
  return writesOf(inv, ctx)
    .map((w) => w.path)
    .filter((p) => !HARMLESS_SINKS.test(p) && !/^\/dev\//.test(p));
}

/** Why this invocation fills the disk, or false. */
export function fillsDisk(inv: Invocation, ctx: RuleContext): string | false {
  if (inv.name === 'dd') {
    const kv = new Map(
      inv.args.flatMap((a) => {
        const m = /^(\w+)=(.*)$/.exec(a.value ?? '');
        return m ? [[m[1]!, m[2]!] as const] : [];
      }),
    );
    const input = kv.get('if');
    const out = kv.get('of');
    if (!input || !ENDLESS_DEVICES.test(input) || !out || /^\/dev\//.test(out)) return false;
    const count = kv.get('count');
    if (count === undefined) return `dd if=${input} of=${out} without count=`;
    const bs = parseSize(kv.get('bs') ?? kv.get('obs') ?? '512');
    const n = /count_bytes/.test(kv.get('iflag') ?? '')
      ? parseSize(count)
      : (parseSize(count) ?? 0) * (bs ?? 512);
    return n !== null && n >= GIB ? `dd of=${out}, ${Math.round(n / GIB)} GiB` : false;
  }
  if (inv.name === 'fallocate' || inv.name === 'mkfile' || inv.name === 'xfs_mkfile') {
    const v = inv.args.map((a) => a.value ?? '');
    const l = v.findIndex((x) => x === '-l' || x === '--length');
    let size =
      l !== -1 ? v[l + 1] : v.find((x) => /^(?:-l|--length=)\d/.test(x))?.replace(/^(?:-l|--length=)/, '');
    if (inv.name !== 'fallocate') size = operands(inv)[0]?.value ?? undefined;
    const n = size === undefined ? null : parseSize(size);
    return n !== null && n >= GIB ? `${inv.name} ${size}` : false;
  }
  const writes = fileWrites(inv, ctx);
  if (writes.length === 0) return false;
  const own = endlessSource(inv);
  if (own) return `${own} > ${posix.basename(writes[0]!)}`;
  // `yes | tee f`: an endless source upstream, nothing in between that stops it
  const up = inv.upstream;
  for (let i = up.length - 1; i >= 0; i--) {
    const u = up[i]!;
    if (BOUNDERS.has(u.name)) return false;
    const src = endlessSource(u);
    if (src) return BOUNDERS.has(inv.name) ? false : `${src} | ${inv.name} ${posix.basename(writes[0]!)}`;
  }
  return false;
}
