import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { escapeText, quoteText } from './terminal-text.js';

/** `child` is `parent` or lies below it (both absolute and normalized). */
export function isWithin(child: string, parent: string): boolean {
  return parent === '/' || child === parent || child.startsWith(`${parent}/`);
}

/** One path is the other, lies inside it, or contains it. */
export function overlaps(a: string, b: string): boolean {
  return isWithin(a, b) || isWithin(b, a);
}

/**
 * The real path of `path`, also when it (or its tail) does not exist yet: the longest existing prefix is
 * resolved and the rest appended, which is where a later mkdir -p would put it.
 */
export function realpathLoose(path: string, depth = 0): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    if (parent === abs) return abs;
    const here = join(realpathLoose(parent, depth), basename(abs));
    try {
      // a dangling symlink: where it points is where the path would be created
      if (lstatSync(here).isSymbolicLink() && depth < 40) {
        return realpathLoose(resolve(dirname(here), readlinkSync(here)), depth + 1);
      }
    } catch {
      // missing: the path itself
    }
    return here;
  }
}

/** A control character (C0, DEL, C1) in a path: unsafe on a terminal and mangled by podman's --mount parser. */
export function hasControlChars(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(path);
}

/** Paths longer than this are cut where they are shown. */
const MAX_SHOWN_PATH = 1000;

/**
 * A path (or any text from outside) for a one-line terminal message: as it is when plain, otherwise quoted and
 * escaped (src/util/terminal-text.ts), so a crafted name cannot move the cursor, hide text or blur where it ends.
 */
export function displayPath(text: string): string {
  const plain = escapeText(text, MAX_SHOWN_PATH) === text && !/[\s"]/.test(text);
  return plain ? text : quoteText(text, MAX_SHOWN_PATH);
}

/** Free text from outside (a program's message) for one terminal line: escaped and bounded. */
export function printable(text: string): string {
  return escapeText(text);
}
