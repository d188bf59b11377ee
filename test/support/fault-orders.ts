import { randomBytes } from 'node:crypto';
import type { VposEmulator, VposSession, WebhookControl } from '../../sandbox/vpos/vpos-emulator';

/** The seed of a fault scenario: FAULT_SEED when set (to reproduce a run), else a fresh one. */
export function faultSeed(): number {
  return Number(process.env.FAULT_SEED ?? randomBytes(4).readUInt32LE(0));
}

/** How many orders a scenario drives (FAULT_ORDERS overrides it for every scenario). */
export function orderCount(fallback: number): number {
  return Number(process.env.FAULT_ORDERS ?? fallback);
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` VPOS sessions whose orders name no CRM record (the hub creates the deal and the lead). */
export function createOrders(vpos: VposEmulator, n: number, prefix: string): VposSession[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: n }, (_, i) =>
    vpos.createSession({
      merchantOrderId: `${prefix}-${run}-${i}`,
      amountMinor: 100_000 + i * 100,
      currency: 'AMD',
      provider: 'manual',
      customer: { phone: '+37491234567', name: 'Ani' },
      metadata: { customerId: `cust-${i}` },
    }),
  );
}

/** Pays each session: VPOS sends its signed webhook (and retries it until answered 2xx). */
export function payAll(vpos: VposEmulator, sessions: VposSession[], webhook?: WebhookControl) {
  for (const s of sessions) vpos.setStatus(s.id, 'paid', { webhook });
  return sessions.map((s) => s.merchantOrderId);
}
