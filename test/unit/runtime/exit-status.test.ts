import { describe, expect, it } from 'vitest';
import { podmanFailure } from '../../../src/runtime/podman/exit-status.js';

describe('podmanFailure', () => {
  it("passes any status through once the container's first process existed (the agent's 125/126/127 too)", () => {
    for (const status of [0, 1, 3, 125, 126, 127, 130]) expect(podmanFailure(status, true)).toBeNull();
  });

  it('without that process, the status is podman’s own: one line per code, exit 1', () => {
    expect(podmanFailure(125, false)?.message).toBe(
      'podman could not start the container (exit 125; its message is above)',
    );
    expect(podmanFailure(126, false)?.message).toBe(
      "podman could not execute the container's first program (exit 126; its message is above)",
    );
    expect(podmanFailure(127, false)?.message).toBe(
      "podman could not find the container's first program in the image (exit 127; its message is above)",
    );
    expect(podmanFailure(2, false)?.message).toBe(
      'podman failed before the container started (exit 2; its message is above)',
    );
    expect(podmanFailure(127, false)?.exitCode).toBe(1);
  });
});
