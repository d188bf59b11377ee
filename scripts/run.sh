#!/usr/bin/env bash
# Starts the hub: installs, checks PostgreSQL and Redis, creates the database, migrates, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_deps

if [ ! -f .env ]; then
  say "creating .env with a fresh ADMIN_TOKEN and ENCRYPTION_KEY"
  admin_token=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')
  enc_key=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')
  webhook_secret=whsec_$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')
  sed -e "s|^ADMIN_TOKEN=.*|ADMIN_TOKEN=${admin_token}|" \
      -e "s|^ENCRYPTION_KEY=.*|ENCRYPTION_KEY=${enc_key}|" \
      -e "s|^VPOS_WEBHOOK_SECRETS=.*|VPOS_WEBHOOK_SECRETS=${webhook_secret}|" \
      .env.example > .env
  chmod 600 .env
  echo "    set VPOS_WEBHOOK_SECRETS and VPOS_API_TOKEN in .env to the values from your VPOS account"
fi

# Values already in the environment win over .env.
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|\#*) continue ;; esac
  key=${line%%=*}
  value=${line#*=}
  if [ -z "${!key+x}" ]; then export "$key=$value"; fi
done < .env

ensure_services

say "building"
npx nest build

say "database: create if missing, apply migrations"
node dist/src/database/db-cli.js create
node dist/src/database/db-cli.js migrate

say "hub listening on ${PUBLIC_BASE_URL:-http://localhost:3000} (port ${PORT:-3000}, role ${APP_ROLE:-all})"
echo "    admin token: ADMIN_TOKEN in $(pwd)/.env   API docs: ${PUBLIC_BASE_URL:-http://localhost:3000}/docs"
exec node dist/src/main.js
