import type http from 'node:http';
import { prng } from './fault-orders';
import { inParallel, webhookSender } from './webhook-sender';

/**
 * Seeded webhook fuzz cases (signed and unsigned, mutated and random bodies, odd headers) and
 * their run against a hub's intake; shared by test/webhook-fuzz.test.ts and the fault tier.
 */
type Sender = ReturnType<typeof webhookSender>;

class Gen {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
  string(): string {
    switch (this.int(12)) {
      case 0:
        return '';
      case 1:
        return 'a\u0000b';
      case 2:
        return this.pick(['\ud800', '\udfff', 'x\udbffy', '\udc00\ud800']);
      case 3:
        return 'ü😀ğ\u202eمرحبا\u0301\u2028';
      case 4:
        return 'x'.repeat(this.pick([129, 3000, 70_000]));
      case 5:
        return String.fromCharCode(...Array.from({ length: 8 }, () => this.int(0x20)));
      case 6:
        return '   ';
      case 7:
        return this.pick(['paid', 'failed', 'payment.paid', 'refunded', 'PAID', 'null']);
      default:
        return `s${this.int(1e9).toString(36)}`;
    }
  }
  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 5 : 8)) {
      case 0:
        return this.string();
      case 1:
        return this.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 42]);
      case 2:
        return this.chance(0.5);
      case 3:
        return null;
      case 4:
        return this.string();
      case 5:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: this.int(4) }, () => [this.string(), this.value(depth + 1)]),
        );
    }
  }
  deep(): string {
    const depth = this.pick([100, 5000, 60_000]);
    const [open, close] = this.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
    return `${open.repeat(depth)}${JSON.stringify(this.string())}${close.repeat(depth)}`;
  }
}

const PATHS = [
  ...['id', 'type', 'createdAt', 'data', 'data.id', 'data.merchantOrderId'],
  ...['data.status', 'data.amountMinor', 'data.currency'],
];

function event(id: string, g: Gen): Record<string, unknown> {
  return {
    id,
    type: g.pick(['payment.paid', 'payment.failed', 'payment.refunded', 'session.created']),
    createdAt: new Date().toISOString(),
    data: {
      id: `ps_${g.int(1e6)}`,
      merchantOrderId: `ord-${g.int(1e6)}`,
      amountMinor: g.int(1e7),
      currency: 'AMD',
      status: g.pick(['paid', 'failed', 'pending', 'refunded']),
    },
  };
}

function mutate(body: Record<string, unknown>, g: Gen): void {
  for (let n = 1 + g.int(3); n > 0; n--) {
    const path = g.chance(0.15) ? `data.${g.string()}` : g.pick(PATHS);
    const keys = path.split('.');
    let target = body;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) return;
      target = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (g.chance(0.2)) delete target[last];
    else target[last] = g.value();
  }
}

/** A body as bytes: an event, mutated or not, or something that is not one at all. */
function body(id: string, g: Gen): Buffer {
  const base = event(id, g);
  switch (g.int(10)) {
    case 0:
      return Buffer.from(JSON.stringify(base));
    case 1:
    case 2:
    case 3:
      mutate(base, g);
      return Buffer.from(JSON.stringify(base));
    case 4:
      return Buffer.from(JSON.stringify(base).replace(/}$/, `,"extra":${g.deep()}}`));
    case 5:
      return Buffer.from(JSON.stringify(g.pick([[base], 42, 'text', null, true, g.value()])));
    case 6: {
      const text = Buffer.from(JSON.stringify(base));
      const at = g.int(text.length);
      return g.chance(0.5) ? text.subarray(0, at) : Buffer.concat([text, g.bytes(1)], at + 1);
    }
    case 7:
      return g.bytes(g.int(2000));
    case 8:
      return Buffer.from(
        JSON.stringify({ ...base, pad: 'p'.repeat(g.pick([1000, 100_000, 300_000])) }),
      );
    default:
      return Buffer.alloc(0);
  }
}

const MODES = [
  ...['signed', 'signed', 'signed', 'hugeId', 'dupSignature'],
  ...['unsigned', 'none', 'badSignature', 'badSignature', 'stale', 'badTs', 'dupId'],
] as const;
type Mode = (typeof MODES)[number];
/** Signed with the hub's secret over exactly these bytes: the only ones that may be stored. */
const AUTHENTIC: ReadonlySet<Mode> = new Set<Mode>(['signed', 'hugeId', 'dupSignature']);

/** The same signature with its first base64 character changed: right shape, wrong MAC. */
function flipFirst(signature: string): string {
  return `v1,${signature[3] === 'A' ? 'B' : 'A'}${signature.slice(4)}`;
}

export interface FuzzCase {
  n: number;
  mode: Mode;
  /** Signed with the hub's secret over exactly these bytes: the only kind that may be stored. */
  authentic: boolean;
  webhookId: string;
  bytes: Buffer;
  headers: http.OutgoingHttpHeaders;
}

/** `count` cases from `seed`: the same seed gives the same bytes and headers. */
export function fuzzCases(seed: number, count: number, sender: Sender): FuzzCase[] {
  const g = new Gen(prng(seed));
  const wrongKey = Buffer.from(g.bytes(32));
  return Array.from({ length: count }, (_, n) => {
    const mode = g.pick(MODES);
    const authentic = AUTHENTIC.has(mode);
    const webhookId =
      mode === 'hugeId' ? `m${'i'.repeat(8191)}` : `msg_${authentic ? 'a' : 'u'}_${n}`;
    const bytes = body(`evt_${authentic ? 'a' : 'u'}_${n}`, g);
    const now = Math.floor(Date.now() / 1000);
    const signed = sender.sign(bytes, webhookId, now);
    const headers: http.OutgoingHttpHeaders = { ...signed };
    switch (mode) {
      case 'signed':
      case 'hugeId':
        break;
      case 'dupSignature':
        headers['webhook-signature'] = g.chance(0.5)
          ? [signed['webhook-signature'], 'v1,AAAA']
          : ['v1,AAAA', signed['webhook-signature']];
        break;
      case 'unsigned':
        delete headers['webhook-signature'];
        break;
      case 'none':
        for (const h of Object.keys(signed)) delete headers[h];
        break;
      case 'badSignature':
        headers['webhook-signature'] = g.chance(0.5)
          ? `v1,${Buffer.from(g.bytes(32)).toString('base64')}`
          : flipFirst(signed['webhook-signature']) +
            (g.chance(0.5) ? '' : ` v1,${wrongKey.toString('base64')}`);
        break;
      case 'stale':
        Object.assign(
          headers,
          sender.sign(bytes, webhookId, now + g.pick([-1, 1]) * (301 + g.int(1e6))),
        );
        break;
      case 'badTs':
        headers['webhook-timestamp'] = g.pick(['', 'abc', '1e9', '-5', `${now}.5`, ' ', `0${now}`]);
        break;
      case 'dupId':
        headers['webhook-id'] = [webhookId, `msg_u_dup_${n}`];
        break;
    }
    if (g.chance(0.2))
      headers[`x-fuzz-${g.int(5)}`] = g
        .string()
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 4000);
    if (g.chance(0.1))
      headers['content-type'] = g.pick(['text/plain', 'application/x-www-form-urlencoded', '']);
    return { n, mode, authentic, webhookId, bytes, headers };
  });
}

/** Sends every case; returns the first failures (a 5xx, a dropped connection, a forged body accepted). */
export async function runFuzz(sender: Sender, cases: FuzzCase[], concurrency = 8) {
  const failures: string[] = [];
  const tally: Record<string, number> = {};
  const started = Date.now();
  await inParallel(cases, concurrency, async (c) => {
    const res = await sender.send(c.bytes, c.headers);
    tally[`${c.mode} ${res.status}`] = (tally[`${c.mode} ${res.status}`] ?? 0) + 1;
    const bad =
      res.status === 0 || res.status >= 500
        ? `answered ${res.status || res.error}`
        : !c.authentic && res.status < 300
          ? `unauthenticated body accepted (${res.status})`
          : undefined;
    if (bad && failures.length < 10) {
      failures.push(`case ${c.n} (${c.mode}, ${c.bytes.length} bytes): ${bad} ${res.body ?? ''}`);
    }
  });
  return { failures, tally, ms: Date.now() - started };
}
