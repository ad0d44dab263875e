import type { RuleContext } from './types.js';

/**
 * What a helper worked out for one object (an invocation, an argument) under one rule context, kept for the other
 * rules of the same decision that ask again. A Map emptied when the next decision's context shows up (or past a
 * bound): cheaper on the hot path than a WeakMap, whose entries the garbage collector has to trace specially.
 */
export class DecisionMemo<K extends object, V> {
  private readonly map = new Map<K, { ctx: RuleContext; value: V }>();
  private script: RuleContext['script'] | null = null;

  /** The stored entry for `key` under exactly this `ctx`, or undefined. */
  get(key: K, ctx: RuleContext): { value: V } | undefined {
    if (ctx.script !== this.script) {
      this.map.clear();
      this.script = ctx.script ?? null;
      return undefined;
    }
    const e = this.map.get(key);
    return e !== undefined && e.ctx === ctx ? e : undefined;
  }

  set(key: K, ctx: RuleContext, value: V): void {
    if (this.map.size >= 4096) this.map.clear();
    this.map.set(key, { ctx, value });
  }
}
