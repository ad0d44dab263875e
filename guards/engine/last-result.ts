/**
 * A pure function of one string, remembering its last answer. Several rules ask the same question about one
 * invocation's inline code in a row (the write rules and the device rule its write targets, two delete rules its
 * delete calls); the scans are regex passes over the whole code. Callers must treat the answer as read-only.
 */
export function lastResult<T>(fn: (s: string) => T): (s: string) => T {
  let key: string | null = null;
  let value: T;
  return (s: string): T => {
    if (s !== key) {
      value = fn(s);
      key = s;
    }
    return value;
  };
}
