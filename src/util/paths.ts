import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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

/** Characters that must not reach a terminal raw: controls, and the invisible or reordering format marks. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A path (or any text from outside) fit for a one-line terminal message: as it is when plain, otherwise
 * JSON-quoted with every unprintable character escaped, so a crafted name cannot move the cursor or hide text.
 */
export function displayPath(text: string): string {
  if (!new RegExp(UNPRINTABLE.source).test(text) && !/[\s"\\]/.test(text)) return text;
  return JSON.stringify(text).replace(
    UNPRINTABLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Free text from outside (a program's message) for one terminal line: unprintable characters escaped. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
