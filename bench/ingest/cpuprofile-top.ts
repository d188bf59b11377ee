/**
 * Where a V8 .cpuprofile (node --cpu-prof) spent its time: by package, with builtin and native
 * frames charged to the innermost package or project frame that called them (so JSON.stringify
 * inside pino counts as pino), and the hottest functions by self time.
 *
 *   npx ts-node --transpile-only bench/ingest/cpuprofile-top.ts .bench/prof/CPU.*.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** `express`, `@nestjs/core`, `hub src/webhooks`, `node:internal`, ... or undefined (native). */
function owner(frame: ProfileNode['callFrame']): string | undefined {
  const { url, functionName } = frame;
  if (SPECIAL.has(functionName)) return functionName;
  if (!url) return undefined;
  if (url.startsWith('node:')) return undefined;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = /\/dist\/(src|sandbox)\/([^/]+)/.exec(url);
  if (dist) return `hub ${dist[1]}/${dist[2]}`;
  return url.replace(/^file:\/\//, '');
}

export interface ProfileSummary {
  seconds: number;
  busySeconds: number;
  byOwner: [string, number][];
  topSelf: [string, number][];
}

export function summarizeProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }

  const charged = new Map<string, number>();
  const fn = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += us;
    let who = owner(node.callFrame);
    const ownFrame = node.callFrame;
    if (who === undefined) {
      // Builtin or node: internal: charge the innermost caller that has an owner.
      let p = parent.get(id);
      while (p !== undefined && who === undefined) {
        const pn = byId.get(p);
        const o = pn ? owner(pn.callFrame) : undefined;
        if (o && o !== '(root)') who = `${o} (via builtins)`;
        p = parent.get(p);
      }
      who ??= ownFrame.url.startsWith('node:') ? 'node: internals' : 'native/builtins';
    }
    charged.set(who, (charged.get(who) ?? 0) + us);
    const where = ownFrame.url
      .replace(/^.*\/node_modules\//, '')
      .replace(/^file:\/\/.*\/dist\//, 'dist/');
    const name = `${ownFrame.functionName || '(anonymous)'} ${where}:${ownFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1e6] as [string, number]);
  return {
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busySeconds: busy / 1e6,
    byOwner: sorted(charged),
    topSelf: sorted(fn),
  };
}

export function printProfile(s: ProfileSummary, top = 15): void {
  const pct = (v: number) => `${((v / s.busySeconds) * 100).toFixed(1).padStart(5)}%`;
  console.log(
    `  profile: ${s.seconds.toFixed(1)} s wall, ` +
      `${s.busySeconds.toFixed(1)} s sampled on the main thread (not idle)`,
  );
  console.log('  by package (builtins charged to their caller):');
  for (const [k, v] of s.byOwner.slice(0, top)) console.log(`    ${pct(v)}  ${k}`);
  console.log('  hottest functions (self time):');
  for (const [k, v] of s.topSelf.slice(0, top)) console.log(`    ${pct(v)}  ${k}`);
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error(
      'usage: ts-node --transpile-only bench/ingest/cpuprofile-top.ts <file.cpuprofile>...',
    );
    process.exit(2);
  }
  for (const f of files) {
    console.log(f);
    printProfile(summarizeProfile(f), 25);
  }
}
