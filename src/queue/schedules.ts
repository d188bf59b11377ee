import type { Queue } from 'bullmq';
import { SCHEDULES } from './queues';

type Schedule = (typeof SCHEDULES)[keyof typeof SCHEDULES];

// Redis restarted empty loses job schedulers, so they are upserted again now and then.
export async function keepSchedules(
  queue: Queue,
  schedules: Schedule[],
  everyMs: number,
  onError: (err: Error) => void,
): Promise<() => void> {
  const ensure = async () => {
    for (const s of schedules) {
      const current = await queue.getJobScheduler(s.job);
      if (current && Number(current.every) === everyMs) continue;
      await queue.upsertJobScheduler(s.job, { every: everyMs }, { name: s.job });
    }
  };
  await ensure();
  let checking = false;
  const timer = setInterval(
    () => {
      if (checking) return;
      checking = true;
      ensure()
        .catch(onError)
        .finally(() => (checking = false));
    },
    Math.min(60_000, Math.max(1000, everyMs * 4)),
  );
  return () => clearInterval(timer);
}
