/**
 * Who used the CPU during a phase, from /proc (Linux; reads as unknown elsewhere): the generator
 * (this process), the hub (its pid), PostgreSQL working for the benchmark database (its backends
 * plus the server's background processes), our reaped children (pgbench), everything else on the
 * machine ("other", e.g. somebody's test run against other databases), and the machine in total.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const HAVE_PROC = existsSync('/proc/self/stat');

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
const TICKS = HAVE_PROC ? clockTicks() : 100;

interface ProcTimes {
  comm: string;
  /** utime + stime, seconds. */
  own: number;
  /** stime alone (kernel: syscalls, and loopback TCP delivered inside them), seconds. */
  system: number;
  /** cutime + cstime (reaped children), seconds. */
  children: number;
}

function readStat(pid: number | 'self'): ProcTimes | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    // Fields after the comm start at field 3 (state); utime is field 14.
    const f = text
      .slice(close + 2)
      .split(' ')
      .map(Number);
    return {
      comm,
      own: (f[11] + f[12]) / TICKS,
      system: f[12] / TICKS,
      children: (f[13] + f[14]) / TICKS,
    };
  } catch {
    return undefined;
  }
}

/** Busy CPU-seconds of the whole machine (all cores; idle and iowait excluded). */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return (v.reduce((a, b) => a + b, 0) - v[3] - v[4]) / TICKS;
}

/**
 * CPU seconds of the PostgreSQL processes that serve `database`: its backends ("postgres: 15/main:
 * user database host(port) ...") and the background ones (no database in the title). Backends
 * of other databases are left out. Sampled periodically so backends that exit mid-phase (pgbench
 * clients) still count up to their last sample.
 */
class PostgresTracker {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly ignored = new Set<number>();

  constructor(private readonly database: string) {
    this.sample(true);
  }

  sample(baseline = false): void {
    for (const name of readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      if (this.ignored.has(pid)) continue;
      const s = readStat(pid);
      if (!s || s.comm !== 'postgres') continue;
      if (!this.last.has(pid)) {
        const relevant = this.relevant(pid);
        if (relevant === 'no') this.ignored.add(pid);
        if (relevant !== 'yes') continue;
      }
      this.last.set(pid, s.own);
      if (!this.base.has(pid)) this.base.set(pid, baseline ? s.own : 0);
    }
  }

  private relevant(pid: number): 'yes' | 'no' | 'not yet' {
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
    } catch {
      return 'no';
    }
    // "postgres: 15/main: postgres vpos_hub_bench 127.0.0.1(5678) idle" for a backend,
    // "postgres: 15/main: walwriter" for a background process, the binary path for the postmaster.
    // A child forked a moment ago still has the postmaster's title: look again next time.
    const m = /^postgres: [^:]+: (.*)$/.exec(title);
    if (!m) return readStat(pid) && this.isPostmaster(pid) ? 'yes' : 'not yet';
    const words = m[1].split(' ');
    const isBackend = words.length >= 3 && /\(\d+\)$|\[local\]/.test(words[2]);
    return !isBackend || words[1] === this.database ? 'yes' : 'no';
  }

  private isPostmaster(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const parent = readFileSync(`/proc/${ppid}/stat`, 'utf8');
      return !parent.includes('(postgres)');
    } catch {
      return false;
    }
  }

  seconds(): number {
    let total = 0;
    for (const [pid, last] of this.last) total += last - (this.base.get(pid) ?? 0);
    return total;
  }
}

export interface CpuShares {
  seconds: number;
  /** Shares of one core (1.0 = a whole core). */
  generator: number;
  hub?: number;
  /** The hub's kernel-mode part. */
  hubSystem?: number;
  postgres?: number;
  /** Reaped children of this process in the window (pgbench). */
  children?: number;
  /** Everything else on the machine. */
  other?: number;
  /** Whole machine, in cores busy (max = core count). */
  machine?: number;
}

/** Measures one phase; call stop() at its end. */
export class CpuMeter {
  private readonly at = performance.now();
  private readonly gen = process.cpuUsage();
  private readonly hub0?: ProcTimes;
  private readonly children0?: number;
  private readonly machine0?: number;
  private readonly pg?: PostgresTracker;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly opts: { hubPid?: number; database: string; countChildren?: boolean },
  ) {
    if (!HAVE_PROC) return;
    this.hub0 = opts.hubPid ? readStat(opts.hubPid) : undefined;
    this.children0 = readStat('self')?.children;
    this.machine0 = machineBusySeconds();
    this.pg = new PostgresTracker(opts.database);
    this.timer = setInterval(() => this.pg?.sample(), 500);
  }

  /** `hubOverride`: the hub's share when it is not our child (from its own metrics). */
  stop(hubOverride?: number): CpuShares {
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.at) / 1000;
    const gen = process.cpuUsage(this.gen);
    const shares: CpuShares = { seconds, generator: (gen.user + gen.system) / 1e6 / seconds };
    shares.hub = hubOverride;
    if (!HAVE_PROC) return shares;
    const rate = (before?: number, after?: number) =>
      before === undefined || after === undefined ? undefined : (after - before) / seconds;
    if (this.opts.hubPid && shares.hub === undefined) {
      const hub1 = readStat(this.opts.hubPid);
      shares.hub = rate(this.hub0?.own, hub1?.own);
      shares.hubSystem = rate(this.hub0?.system, hub1?.system);
    }
    if (this.opts.countChildren) shares.children = rate(this.children0, readStat('self')?.children);
    if (this.pg) {
      this.pg.sample();
      shares.postgres = this.pg.seconds() / seconds;
    }
    shares.machine = rate(this.machine0, machineBusySeconds());
    if (shares.machine !== undefined) {
      const known =
        shares.generator + (shares.hub ?? 0) + (shares.postgres ?? 0) + (shares.children ?? 0);
      shares.other = Math.max(0, shares.machine - known);
    }
    return shares;
  }
}

export function describeCpu(s: CpuShares, parts: ('generator' | 'hub' | 'pgbench')[]): string {
  const pct = (x?: number) =>
    x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(0)}%`;
  const out: string[] = [];
  if (parts.includes('generator')) out.push(`generator ${pct(s.generator)}`);
  if (parts.includes('hub')) {
    out.push(`hub ${pct(s.hub)}${s.hubSystem === undefined ? '' : ` (sys ${pct(s.hubSystem)})`}`);
  }
  if (parts.includes('pgbench')) out.push(`pgbench ${pct(s.children)}`);
  out.push(`postgres ${pct(s.postgres)}`, `other ${pct(s.other)}`, `machine ${pct(s.machine)}`);
  return `${out.join(', ')} (100% = one core)`;
}
