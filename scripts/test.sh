#!/usr/bin/env bash
# Runs every test tier: format, lint, types, build, unit, integration (real PostgreSQL + Redis),
# fault (whole hub stacks under injected faults).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_deps
ensure_services
ensure_chromium

say "prettier"
npx prettier --check . --log-level warn
say "eslint (zero warnings)"
npx eslint . --max-warnings 0
say "import cycles and layer direction (dependency-cruiser)"
npx depcruise src --config .dependency-cruiser.cjs
say "comment share in src/ (at most 3%)"
node scripts/comment-share.mjs --check | tail -1
say "typecheck"
npx tsc --noEmit -p tsconfig.json
say "build (hub and console)"
npm run build --silent
say "OpenAPI document: redocly lint (recommended rules, zero errors)"
npx ts-node --transpile-only scripts/openapi-export.ts .test-results/openapi.json
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint .test-results/openapi.json

if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  say "docker compose config"
  docker compose config --quiet
elif command -v docker-compose >/dev/null; then
  say "docker-compose config"
  docker-compose config -q
else
  say "docker compose is not installed here: compose file not checked"
fi

mkdir -p .test-results
say "unit tests"
npx jest --selectProjects unit --json --outputFile=.test-results/unit.json
say "integration tests (real PostgreSQL and Redis)"
# --forceExit: a stray socket must not hang CI; the suites close what they open (no warnings today).
npx jest --selectProjects integration --runInBand --forceExit --json --outputFile=.test-results/integration.json
say "fault tests (own redis-server, API + two worker processes per scenario)"
npx jest --selectProjects fault --runInBand --forceExit --json --outputFile=.test-results/fault.json

node -e '
  const r = ["unit", "integration", "fault"].map((t) => require(`./.test-results/${t}.json`));
  const passed = r.reduce((n, x) => n + x.numPassedTests, 0);
  const failed = r.reduce((n, x) => n + x.numFailedTests, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
'
