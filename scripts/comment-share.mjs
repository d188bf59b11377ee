#!/usr/bin/env node
// Comment share of src/ (non-spec .ts): lines starting with //, /* or * over non-blank lines.
// Usage: node scripts/comment-share.mjs [--check] [--max=3] [dir]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';

const args = process.argv.slice(2);
const check = args.includes('--check');
const max = Number(args.find((a) => a.startsWith('--max='))?.slice(6) ?? 3);
const root = args.find((a) => !a.startsWith('--')) ?? 'src';
const COMMENT = /^\s*(\/\/|\/\*|\*)/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) yield path;
  }
}

const folders = new Map();
const total = { comments: 0, lines: 0 };
for (const file of files(root)) {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const comments = lines.filter((l) => COMMENT.test(l)).length;
  const folder = relative('.', dirname(file)) || '.';
  const f = folders.get(folder) ?? { comments: 0, lines: 0 };
  f.comments += comments;
  f.lines += lines.length;
  folders.set(folder, f);
  total.comments += comments;
  total.lines += lines.length;
}

const pct = (c) => (c.lines === 0 ? 0 : (100 * c.comments) / c.lines);
const row = (c, name) =>
  `${pct(c).toFixed(1).padStart(5)}%  ${String(c.comments).padStart(5)} / ${String(c.lines).padEnd(6)} ${name}`;
for (const [name, c] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(row(c, name));
}
console.log(row(total, `total (${root})`));
if (check && pct(total) > max) {
  console.error(`comment share ${pct(total).toFixed(2)}% is above ${max}%`);
  process.exit(1);
}
