/** The per-portal leaky bucket (B24DOC:limits) and injectable faults. Lazy: no timers. */
import { faultRatio, firesNow } from '../common/fault-ratio';
import { RestError } from './rest-errors';

export class LeakyBucket {
  private level = 0;
  private updatedAt: number;

  constructor(
    public capacity: number,
    public drainPerSecond: number,
    now: number,
  ) {
    this.updatedAt = now;
  }

  /** Adds one request; false (and nothing added) when the counter would exceed the capacity. */
  take(now: number): boolean {
    this.drain(now);
    if (this.level + 1 > this.capacity) return false;
    this.level += 1;
    return true;
  }

  current(now: number): number {
    this.drain(now);
    return this.level;
  }

  set(level: number, now: number): void {
    this.drain(now);
    this.level = Math.max(0, level);
  }

  private drain(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.level = Math.max(0, this.level - elapsed * this.drainPerSecond);
    this.updatedAt = now;
  }
}

export interface FaultSpec {
  /** HTTP status of the injected answer, e.g. 429, 503, 500. */
  status: number;
  /** `error` code, e.g. OPERATION_TIME_LIMIT. */
  error: string;
  error_description?: string;
  /** How many calls fail; default 1. */
  count?: number;
  /** Only calls of this method (also inside a batch); any top-level call when omitted. */
  method?: string;
  /** Only this portal; any when omitted. */
  portal?: string;
  /** Share of matching calls that fail, spread evenly (0.5: every other); default 1. */
  ratio?: number;
}

const DEFAULT_DESCRIPTIONS: Record<string, string> = {
  OPERATION_TIME_LIMIT: 'Method is blocked due to operation time limit.',
  QUERY_LIMIT_EXCEEDED: 'Too many requests',
  INTERNAL_SERVER_ERROR: 'Internal server error',
  OVERLOAD_LIMIT: 'REST API is blocked due to overload',
  expired_token: 'The access token provided has expired.',
};

interface PendingFault {
  spec: FaultSpec;
  remaining: number;
  ratio: number;
  seen: number;
}

export class FaultQueue {
  private faults: PendingFault[] = [];

  add(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error('fault count must be >= 1');
    if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599) {
      throw new Error('fault status must be an HTTP status');
    }
    const ratio = faultRatio(spec.ratio);
    this.faults.push({
      spec: { ...spec, method: spec.method?.toLowerCase() },
      remaining: count,
      ratio,
      seen: 0,
    });
  }

  /**
   * The next fault for this call, consumed. Inside a batch only faults naming the method apply.
   */
  take(portal: string, method: string, insideBatch: boolean): RestError | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.spec.portal === undefined || f.spec.portal === portal) &&
        (f.spec.method === undefined ? !insideBatch : f.spec.method === method) &&
        firesNow(f),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    const { status, error } = fault.spec;
    return new RestError(
      status,
      error,
      fault.spec.error_description ?? DEFAULT_DESCRIPTIONS[error] ?? 'Injected failure',
    );
  }

  pending(): FaultSpec[] {
    return this.faults.map(({ spec, remaining }) => ({ ...spec, count: remaining }));
  }

  clear(): void {
    this.faults = [];
  }
}
