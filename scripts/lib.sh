# Shared helpers for run.sh and test.sh (sourced, not executed).

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Installs dependencies exactly as locked, when missing or stale.
install_deps() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# host and port from a URL like scheme://user@host:port/db
url_host() { node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.hostname.replace(/^\[|\]$/g,""))' "$1"; }
url_port() { node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.port||process.argv[2])' "$1" "$2"; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

is_local() { case "$1" in 127.0.0.1|localhost|::1) return 0 ;; *) return 1 ;; esac; }

wait_port() {
  local host=$1 port=$2 i
  for i in $(seq 1 60); do
    port_open "$host" "$port" && return 0
    sleep 0.5
  done
  return 1
}

# Makes sure PostgreSQL and Redis answer; starts the local servers when installed but down.
ensure_services() {
  local db_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vpos_hub}
  local redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
  local pg_host pg_port r_host r_port
  pg_host=$(url_host "$db_url"); pg_port=$(url_port "$db_url" 5432)
  r_host=$(url_host "$redis_url"); r_port=$(url_port "$redis_url" 6379)

  if ! port_open "$pg_host" "$pg_port"; then
    if is_local "$pg_host" && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      say "PostgreSQL is down on $pg_host:$pg_port; starting the local cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      wait_port "$pg_host" "$pg_port" || { echo "PostgreSQL did not come up on $pg_host:$pg_port" >&2; return 1; }
    else
      echo "PostgreSQL does not answer at $pg_host:$pg_port (DATABASE_URL)." >&2
      echo "Start it, e.g.: docker compose up -d postgres   or   sudo pg_ctlcluster <version> main start" >&2
      return 1
    fi
  fi

  if ! port_open "$r_host" "$r_port"; then
    if is_local "$r_host" && command -v redis-server >/dev/null; then
      say "Redis is down on $r_host:$r_port; starting a local redis-server"
      mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$r_port" --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
      wait_port "$r_host" "$r_port" || { echo "Redis did not come up on $r_host:$r_port" >&2; return 1; }
    else
      echo "Redis does not answer at $r_host:$r_port (REDIS_URL)." >&2
      echo "Start it, e.g.: docker compose up -d redis   or   redis-server --daemonize yes --port $r_port" >&2
      return 1
    fi
  fi
}

# A sandbox .env from the template: fresh secrets, and PUBLIC_BASE_URL left to follow PORT.
create_sandbox_env() { # template, target
  rand() { node -e "process.stdout.write(require('crypto').randomBytes(32).toString('$1'))"; }
  local admin_token enc_key webhook_secret vpos_token
  admin_token=$(rand base64url)
  enc_key=$(rand base64)
  webhook_secret=whsec_$(rand base64)
  vpos_token=sandbox_$(rand hex)
  sed -e "s|^HUB_MODE=.*|HUB_MODE=sandbox|" \
      -e "s|^ADMIN_TOKEN=.*|ADMIN_TOKEN=${admin_token}|" \
      -e "s|^ENCRYPTION_KEY=.*|ENCRYPTION_KEY=${enc_key}|" \
      -e "s|^VPOS_WEBHOOK_SECRETS=.*|VPOS_WEBHOOK_SECRETS=${webhook_secret}|" \
      -e "s|^VPOS_API_TOKEN=.*|VPOS_API_TOKEN=${vpos_token}|" \
      -e "s|^PUBLIC_BASE_URL=.*|# PUBLIC_BASE_URL=https://hub.example.com (unset: http://localhost:\$PORT)|" \
      "$1" > "$2"
  chmod 600 "$2"
}

# Exports each KEY=value line of a .env file whose KEY is not in the environment yet.
load_env_file() {
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|\#*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done < "$1"
}

# The template's value, still in a sandbox .env made before PUBLIC_BASE_URL followed PORT.
TEMPLATE_PUBLIC_BASE_URL=http://localhost:3000

# In sandbox mode the URLs the hub prints and registers for OAuth follow PORT unless the user set
# PUBLIC_BASE_URL ($1 = 1: in the environment; or in .env to something else than the template's).
resolve_public_base_url() {
  if [ "$HUB_MODE" = sandbox ] && [ "${1:-0}" != 1 ] \
    && [ "${PUBLIC_BASE_URL:-}" = "$TEMPLATE_PUBLIC_BASE_URL" ]; then
    PUBLIC_BASE_URL=
  fi
  export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$PORT}
}

# Debian's Chromium for the console's browser tests (playwright-core never downloads a browser).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium ||
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }
  else
    echo "chromium is missing: sudo apt-get install -y chromium (the console's browser tests need it)" >&2
    return 1
  fi
}
