import type { DataSource } from 'typeorm';

export interface LeaseKeeper {
  stop(): void;
}

/**
 * Extends the lease of claimed rows every third of it while their call runs: a call that outlives
 * its lease (a slow CRM, a long paced batch) must not let a second worker claim and send it again.
 * Only a stalled or dead worker lets a lease run out.
 */
export function keepLeased(ds: DataSource, ids: string[], leaseSeconds: number): LeaseKeeper {
  const timer = setInterval(
    () =>
      void ds
        .query(
          `UPDATE deliveries SET locked_until = now() + make_interval(secs => $2)
           WHERE id = ANY($1::uuid[]) AND status = 'in_progress'`,
          [ids, leaseSeconds],
        )
        .catch(() => undefined),
    (leaseSeconds * 1000) / 3,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
