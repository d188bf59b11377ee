/*
 * Preloaded into a hub process by bench/verify-cost.ts (node --require): counts every statement
 * the pg driver sends (one round trip each) and every NOTIFY received, by normalized text, and
 * writes the counts to PGCOUNT_FILE on SIGWINCH (Nest's shutdown hooks take SIGUSR2).
 */
'use strict';
const { writeFileSync } = require('node:fs');
const pg = require(require.resolve('pg', { paths: [process.cwd()] }));

const statements = new Map();
let roundTrips = 0;
let notifications = 0;

const normalize = (text) =>
  text
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\$\d+(\s*,\s*\$\d+)*/g, '$n')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 110);

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (text) {
    roundTrips++;
    const key = normalize(text);
    statements.set(key, (statements.get(key) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};
const emit = pg.Client.prototype.emit;
pg.Client.prototype.emit = function (event, ...args) {
  if (event === 'notification') notifications++;
  return emit.call(this, event, ...args);
};

process.on('SIGWINCH', () => {
  writeFileSync(
    process.env.PGCOUNT_FILE,
    JSON.stringify({ roundTrips, notifications, statements: Object.fromEntries(statements) }),
  );
});
