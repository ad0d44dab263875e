import { describe, expect, it } from 'vitest';
import { OpenRateLimit } from '../../../src/authproxy/open-limits.js';

describe('OpenRateLimit', () => {
  it('allows a burst, then one per refill interval', () => {
    let t = 0;
    const limit = new OpenRateLimit(4, 15_000, () => t);
    expect([1, 2, 3, 4, 5].map(() => limit.take())).toEqual([true, true, true, true, false]);
    expect(limit.waitSeconds()).toBe(15);
    t = 14_000;
    expect(limit.take()).toBe(false);
    expect(limit.waitSeconds()).toBe(1);
    t = 15_000;
    expect(limit.take()).toBe(true);
    expect(limit.take()).toBe(false);
  });
  it('refills no more than the burst', () => {
    let t = 0;
    const limit = new OpenRateLimit(2, 1000, () => t);
    t = 1_000_000;
    expect([1, 2, 3].map(() => limit.take())).toEqual([true, true, false]);
  });
  it('says the limit and the wait in its refusal', () => {
    const limit = new OpenRateLimit(1, 15_000, () => 0);
    limit.take();
    expect(limit.refusal()).toBe(
      'not opened: too many browser opens from this sandbox (at most 1, then one every 15 s); try again in 15 s',
    );
  });
});
