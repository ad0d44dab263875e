/**
 * Shell pathname patterns over absolute paths: `*`, `?` and bracket classes (`[.]git`, `.[!.]*`, `.[^.]*`), with
 * the shell's rule that a wildcard at the start of a name does not match a leading dot.
 */
const cache = new Map<string, RegExp | null>();

/** A regex for one absolute glob (null when it does not compile); compiled once per glob. */
export function globRegex(absGlob: string): RegExp | null {
  let re = cache.get(absGlob);
  if (re !== undefined) return re;
  try {
    let body = '';
    for (let i = 0; i < absGlob.length; i++) {
      const c = absGlob[i]!;
      const lead = i === 0 || absGlob[i - 1] === '/' ? '(?!\\.)' : '';
      if (c === '*') body += lead + '[^/]*';
      else if (c === '?') body += lead + '[^/]';
      else if (c === '[') {
        const end = absGlob.indexOf(']', i + 2);
        if (end === -1) {
          body += '\\[';
          continue;
        }
        let set = absGlob.slice(i + 1, end);
        const negated = set[0] === '!' || set[0] === '^';
        if (negated) set = set.slice(1);
        const cls = set.replace(/[\\\]^]/g, '\\$&');
        // a negated class never matches `/`, nor a leading dot
        body += negated ? `${lead}[^/${cls}]` : `[${cls}]`;
        i = end;
      } else body += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp('^' + body + '$');
  } catch {
    re = null;
  }
  if (cache.size >= 256) cache.clear();
  cache.set(absGlob, re);
  return re;
}

/** Does the glob match this path? */
export function globMatches(absGlob: string, path: string): boolean {
  return globRegex(absGlob)?.test(path) ?? false;
}
