/**
 * The longest path a Unix socket may have, portably (Linux's sun_path is 108 bytes, one kept for the NUL).
 * Node does not refuse a longer one: it binds the path cut short, so every listener checks first.
 */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Why `path` cannot be a Unix socket, or null when it can. */
export function socketPathProblem(path: string): string | null {
  const bytes = Buffer.byteLength(path);
  return bytes > MAX_SOCKET_PATH_BYTES
    ? `${path} would be ${bytes} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket path may have`
    : null;
}
