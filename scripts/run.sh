#!/usr/bin/env bash
# Starts the hub: installs, checks PostgreSQL and Redis, creates the database, migrates, runs.
# HUB_MODE=sandbox (what a fresh .env says) also runs the VPOS, Bitrix24, amoCRM and Google
# emulators beside it, connects one account of each CRM through its OAuth flow and stops them all
# on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_deps

if [ ! -f .env ]; then
  say "creating .env in sandbox mode with a fresh ADMIN_TOKEN, ENCRYPTION_KEY and webhook secret"
  create_sandbox_env .env.example .env
fi

# Values already in the environment win over .env.
public_url_given=0
[ -n "${PUBLIC_BASE_URL:-}" ] && public_url_given=1
load_env_file .env
export HUB_MODE=${HUB_MODE:-live} PORT=${PORT:-3000}
resolve_public_base_url "$public_url_given"

ensure_services

say "building the hub and the console"
npm run build --silent

say "database: create if missing, apply migrations"
node dist/src/database/db-cli.js create
node dist/src/database/db-cli.js migrate

if [ "$HUB_MODE" != sandbox ]; then
  say "hub listening on ${PUBLIC_BASE_URL} (port ${PORT}, role ${APP_ROLE:-all}, HUB_MODE=${HUB_MODE})"
  echo "    admin token: ADMIN_TOKEN in $(pwd)/.env   API docs: ${PUBLIC_BASE_URL}/docs"
  exec node dist/src/main.js
fi

# --- sandbox: emulators beside the hub, each a child stopped with it ---
eval "$(node dist/sandbox/demo/sandbox-env.js)"
children=()
stop_children() {
  trap - INT TERM EXIT
  local pid i
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${children[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${children[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap 'stop_children; exit 130' INT
trap 'stop_children; exit 143' TERM
trap stop_children EXIT

mkdir -p .sandbox
start_child() { # name, command...
  local name=$1; shift
  "$@" >".sandbox/$name.log" 2>&1 &
  children+=("$!")
}
start_child vpos node dist/sandbox/vpos/main.js
start_child bitrix24 node dist/sandbox/bitrix24/main.js
start_child amocrm node dist/sandbox/amocrm/main.js
start_child google node dist/sandbox/google/main.js
for port in "$SANDBOX_VPOS_PORT" "$SANDBOX_BITRIX24_PORT" "$SANDBOX_AMOCRM_PORT" "$SANDBOX_GOOGLE_PORT"; do
  wait_port 127.0.0.1 "$port" || { echo "an emulator did not start on port $port (see .sandbox/*.log)" >&2; exit 1; }
done

say "hub starting in SANDBOX mode on ${PUBLIC_BASE_URL}"
node dist/src/main.js &
hub_pid=$!
children+=("$hub_pid")
for i in $(seq 1 120); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:${PORT}/health/ready" && break
  kill -0 "$hub_pid" 2>/dev/null || { echo "the hub stopped at start" >&2; exit 1; }
  sleep 0.5
done

say "sandbox: connecting Bitrix24, amoCRM and Google through OAuth; product catalog"
node dist/sandbox/demo/bootstrap.js &
wait $! || { echo "sandbox bootstrap failed (the hub keeps running)" >&2; }

say "SANDBOX ready: nothing here talks to a real VPOS account or CRM"
cat <<EOF
    hub:         ${PUBLIC_BASE_URL}   admin: ${PUBLIC_BASE_URL}/admin   API docs: ${PUBLIC_BASE_URL}/docs
    admin token: ADMIN_TOKEN in $(pwd)/.env
    checkout:    ${SANDBOX_VPOS_URL}/_emulator/ui        (VPOS payment sessions, pay / fail buttons)
    Bitrix24:    ${SANDBOX_BITRIX24_URL}/_emulator/ui    (deals, stages, timeline comments)
    amoCRM:      ${SANDBOX_AMOCRM_URL}/_emulator/ui      (leads, statuses, notes)
    Google:      ${SANDBOX_GOOGLE_URL}/_emulator/ui      (the spreadsheet as a table)
    try it:      npm run demo     (in another terminal)     stop: Ctrl-C (stops the emulators too)
    go live:     set HUB_MODE=live, VPOS_API_BASE_URL, VPOS_API_TOKEN, VPOS_WEBHOOK_SECRETS and the
                 CRM apps (BITRIX24_/AMOCRM_/GOOGLE_CLIENT_ID and _SECRET) in .env, then npm run hub
EOF
wait "$hub_pid"
