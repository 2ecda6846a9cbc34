#!/usr/bin/env bash
# Reproducible figures for BENCHMARKS.md: client_credentials requests per second with a
# bcrypt-hashed secret (cost 10) and a warm verification cache, plus /token_keys, and the
# server's idle resident memory. Loopback only; every load run is bounded in time.
#
#   bench/bench.sh [SECONDS] [CONNECTIONS]
#
# Installs Debian's wrk if it is missing, builds the release binary, starts it on a free port
# with bench/uaa.yml over a fresh SQLite file, loads it, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-15}"
CONNECTIONS="${2:-16}"
THREADS="${THREADS:-2}"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p uaa-server --bin uaa

work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

${TASKSET:-} ./target/release/uaa serve --config bench/uaa.yml --listen "127.0.0.1:$port" \
  --database-url "sqlite://$work/uaa.db?mode=rwc" >"$work/uaa.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
echo "idle RSS after start: $(rss_kib) KiB"

# Warm the verification cache: the first request pays one bcrypt.
curl -sf -u bench:bench-secret-0123 -d grant_type=client_credentials "$base/oauth/token" >/dev/null

cat >"$work/cc.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic YmVuY2g6YmVuY2gtc2VjcmV0LTAxMjM="
wrk.body = "grant_type=client_credentials"
LUA

run() { # name, url, [script]
  local name="$1" url="$2" script="${3:-}"
  echo "== $name (${SECONDS_PER_RUN}s, $CONNECTIONS connections, $THREADS threads)"
  if [ -n "$script" ]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$script" "$url"
  else
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$url"
  fi | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
}

run "client_credentials, RS256 JWT, bcrypt-10 secret, warm cache" "$base/oauth/token" "$work/cc.lua"
run "/token_keys" "$base/token_keys"
echo "RSS after load: $(rss_kib) KiB"
