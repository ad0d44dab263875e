/**
 * A lookup table keyed by words from the command line (command names, tool names, rule ids) without
 * `Object.prototype` behind it, so `constructor`, `__proto__` or `valueOf` as a command name finds nothing
 * instead of a function.
 */
export function nullProto<T extends object>(table: T): T {
  return Object.setPrototypeOf(table, null) as T;
}
