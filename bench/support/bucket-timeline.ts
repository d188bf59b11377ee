/*
 * Where a rate-limited destination's capacity went unused: the requests it accepted, replayed
 * through its token bucket, against samples of whether deliveries were waiting.
 */
import type { Client } from 'pg';

const STEP_MS = 10;
const SAMPLE_MS = 100;

export interface BucketIdle {
  /** Deliveries waiting, at least one token free, and no request sent. */
  idleS: number;
  /** Deliveries waiting and the bucket full: refill thrown away. */
  fullS: number;
  /** Seconds from the first ready delivery to the last one claimed. */
  windowS: number;
}

export class BucketTimeline {
  private readonly requests: number[] = [];
  private readonly samples: Array<{ at: number; waiting: boolean }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {}

  /** Call for every request the destination accepted. */
  readonly request = (): void => {
    this.requests.push(Date.now());
  };

  /** Samples whether any delivery is ready and not yet claimed, until `stop`. */
  watch(db: Client): void {
    const tick = async () => {
      const at = Date.now();
      const { rows } = await db.query<{ ready: number }>(
        `SELECT count(*)::int AS ready FROM deliveries
         WHERE status IN ('pending','retry_scheduled') AND next_attempt_at <= now()`,
      );
      this.samples.push({ at, waiting: rows[0].ready > 0 });
      this.timer = setTimeout(() => void tick().catch(() => undefined), SAMPLE_MS);
    };
    void tick().catch(() => undefined);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Steps through the run with the bucket's own arithmetic (tokens = capacity − level). */
  idle(): BucketIdle {
    const waiting = this.samples.filter((s) => s.waiting);
    if (waiting.length === 0) return { idleS: 0, fullS: 0, windowS: 0 };
    const from = waiting[0].at;
    const to = waiting.at(-1)!.at + SAMPLE_MS;
    const sent = [...this.requests].sort((a, b) => a - b);
    let level = Math.max(0, this.capacity - this.tokensAt(from, sent));
    let r = sent.findIndex((t) => t >= from);
    if (r < 0) r = sent.length;
    let s = 0;
    let idleMs = 0;
    let fullMs = 0;
    for (let t = from; t < to; t += STEP_MS) {
      while (s + 1 < this.samples.length && this.samples[s + 1].at <= t) s++;
      let n = 0;
      while (r < sent.length && sent[r] < t + STEP_MS) {
        n++;
        r++;
      }
      level = Math.max(0, level - (this.refillPerSecond * STEP_MS) / 1000) + n;
      if (!this.samples[s].waiting || n > 0) continue;
      if (level <= this.capacity - 1) idleMs += STEP_MS;
      if (level <= 0) fullMs += STEP_MS;
    }
    return { idleS: idleMs / 1000, fullS: fullMs / 1000, windowS: (to - from) / 1000 };
  }

  private tokensAt(at: number, sent: number[]): number {
    let level = 0;
    let last = sent[0] ?? at;
    for (const t of sent) {
      if (t >= at) break;
      level = Math.max(0, level - ((t - last) / 1000) * this.refillPerSecond) + 1;
      last = t;
    }
    level = Math.max(0, level - ((at - last) / 1000) * this.refillPerSecond);
    return this.capacity - level;
  }
}

/** Calls by size (each attempt's audit row is one item of a call of batchSize items). */
export async function callSizes(db: Client): Promise<Array<{ size: number; calls: number }>> {
  const { rows } = await db.query<{ size: number; items: number }>(
    `SELECT (data->>'batchSize')::int AS size, count(*)::int AS items
     FROM audit_log WHERE kind = 'delivery.attempt' GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => ({ size: r.size, calls: Math.round(r.items / r.size) }));
}

/** `12×1-99, 3×100-249, …`: how full the calls were. */
export function describeSizes(sizes: Array<{ size: number; calls: number }>, full: number): string {
  const bands = [...[1, 100, 250].filter((b) => b < full), full];
  const parts: string[] = [];
  for (let i = 0; i + 1 < bands.length; i++) {
    const calls = sizes
      .filter((s) => s.size >= bands[i] && s.size < bands[i + 1])
      .reduce((n, s) => n + s.calls, 0);
    if (calls) parts.push(`${calls}×${bands[i]}–${bands[i + 1] - 1}`);
  }
  const fullCalls = sizes.filter((s) => s.size >= full).reduce((n, s) => n + s.calls, 0);
  if (fullCalls) parts.push(`${fullCalls}×${full} (full)`);
  return parts.join(', ');
}
