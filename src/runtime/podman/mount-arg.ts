import { isAbsolute } from 'node:path';
import { ConfigError } from '../../errors.js';
import { displayPath, hasControlChars } from '../../util/paths.js';

/**
 * podman reads a --mount value as one CSV record: a field in double quotes (a quote inside doubled) may hold
 * `,`, `=` and `:`, so any path is carried whole and none can add mount options of its own (a directory named
 * `x,relabel=shared` stays a name). `-v SRC:DST:MODE` cannot carry a `:` at all.
 */
function quoted(field: string): string {
  return `"${field.replaceAll('"', '""')}"`;
}

/**
 * `--mount=type=bind,"source=…","target=…",ro|rw` for one bind mount. A path with a control character is
 * refused: podman's CSV reader turns a CR LF inside a field into LF, which would name another path.
 */
export function bindMountArg(source: string, target: string, mode: 'ro' | 'rw'): string {
  for (const path of [source, target]) {
    if (!isAbsolute(path) || hasControlChars(path)) {
      throw new ConfigError(
        `cannot mount ${displayPath(source)} at ${displayPath(target)}: ${isAbsolute(path) ? 'a path contains a control character' : `${displayPath(path)} is not an absolute path`}`,
        'rename the directory, or choose another path',
      );
    }
  }
  return `--mount=type=bind,${quoted(`source=${source}`)},${quoted(`target=${target}`)},${mode}`;
}

/** `--mount=type=tmpfs,"target=…",OPTIONS` for one tmpfs, its target carried whole as for a bind mount. */
export function tmpfsMountArg(target: string, options: string[]): string {
  if (!isAbsolute(target) || hasControlChars(target)) {
    throw new ConfigError(
      `cannot mount a tmpfs at ${displayPath(target)}: it is not an absolute path without control characters`,
      'choose another path',
    );
  }
  return `--mount=type=tmpfs,${quoted(`target=${target}`)},${options.join(',')}`;
}
