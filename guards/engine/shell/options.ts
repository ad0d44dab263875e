/** Option skippers: where a wrapper's, `xargs`'s or a shell's own options end and the command or script begins. */
import type { Word } from './ast.js';
import { XARGS_WITH_ARG, type Wrapper } from './commands.js';
import type { Arg } from './invocation.js';
import { staticValue } from './words.js';

export function isOpt(w: Word): string | null {
  const v = staticValue(w);
  return v !== null && v.length > 1 && v.startsWith('-') ? v : null;
}

/** Skips a wrapper's options and positionals; null when the wrapper does not run a command (`command -v`). */
export function skipWrapperOptions(args: Word[], spec: Wrapper): Word[] | null {
  let i = 0;
  while (i < args.length) {
    const o = isOpt(args[i]!);
    if (o === null) break;
    i++;
    if (o === '--') break;
    if (
      spec.noRun?.includes(o) ||
      (o.startsWith('-') &&
        !o.startsWith('--') &&
        spec.noRun?.some((n) => n.length === 2 && o.includes(n[1]!)))
    ) {
      return null;
    }
    if (o.includes('=')) continue;
    if (spec.withArg.includes(o)) {
      i++;
      continue;
    }
    // combined short options ending in one that takes a value (`-un` is not, `-u` + value is)
    if (!o.startsWith('--') && o.length > 2) {
      const lastFlag = `-${o[o.length - 1]}`;
      if (spec.withArg.includes(lastFlag) && !/^-[0-9]/.test(o)) {
        // `-uroot` (value attached) vs `-Eu root`: attached if the flag letter is not last
        if (spec.withArg.includes(o.slice(0, 2)) && o.length > 2) continue;
        i++;
      }
    }
  }
  i += spec.positionals ?? 0;
  return args.slice(i);
}

export function skipXargsOptions(args: Word[]): Word[] {
  let i = 0;
  while (i < args.length) {
    const o = isOpt(args[i]!);
    if (o === null) break;
    i++;
    if (o === '--') break;
    if (o.includes('=') || (o.length > 2 && !o.startsWith('--'))) continue;
    if (XARGS_WITH_ARG.has(o)) i++;
  }
  return args.slice(i);
}

export function skipLeadingOptions(args: Arg[], withArg: string[]): Arg[] {
  let i = 0;
  while (i < args.length && (args[i]!.value ?? '').startsWith('-')) {
    if (withArg.includes(args[i]!.value!)) i++;
    i++;
  }
  return args.slice(i);
}

/** What a shell is told to run: a `-c` string, a script file, or nothing (it reads stdin). */
/** A path that is the process's own stdin (`bash /dev/stdin <<< …` runs the here-string). */
export function isStdinFile(v: string | null): boolean {
  return v !== null && /^\/(?:dev\/stdin|dev\/fd\/0|proc\/self\/fd\/0)$/.test(v);
}

export function shellScriptArg(args: Arg[]): Arg | 'file' | 'none' {
  let i = 0;
  let hasC = false;
  let readsStdin = false;
  while (i < args.length) {
    const v = args[i]!.value;
    if (v === null) break;
    if (v === '--' || v === '-') {
      i++;
      if (v === '-') readsStdin = true;
      break;
    }
    if (/^[-+]o$/.test(v) || v === '--rcfile' || v === '--init-file' || v === '-O' || v === '+O') {
      i += 2;
      continue;
    }
    if (/^-[A-Za-z]+$/.test(v) || /^\+[A-Za-z]+$/.test(v)) {
      if (v.startsWith('-') && v.includes('c')) hasC = true;
      if (v.startsWith('-') && v.includes('s')) readsStdin = true;
      i++;
      continue;
    }
    if (v.startsWith('--')) {
      i++;
      continue;
    }
    break;
  }
  if (hasC) return args[i] ?? 'none';
  if (readsStdin || i >= args.length || isStdinFile(args[i]!.value)) return 'none';
  return 'file';
}
