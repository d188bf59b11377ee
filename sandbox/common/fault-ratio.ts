/** Faults that hit a share of requests rather than the next few, the same in every emulator. */

/** `ratio` of a fault spec: the share of matching requests that fail, 0 < ratio <= 1. */
export function faultRatio(ratio: number | undefined): number {
  if (ratio === undefined) return 1;
  if (!(ratio > 0 && ratio <= 1)) throw new Error('fault ratio must be in (0, 1]');
  return ratio;
}

/** Counts a matching request; true for an evenly spread `ratio` of them (deterministic). */
export function firesNow(fault: { ratio: number; seen: number }): boolean {
  fault.seen += 1;
  return Math.floor(fault.seen * fault.ratio) > Math.floor((fault.seen - 1) * fault.ratio);
}
