#!/usr/bin/env bash
# SCIM at scale, for BENCHMARKS.md: 100,000 users and 1,000 groups in SQLite, then
#   - GET /Users?filter=userName sw "user1"&count=100 (a filtered, paged list), and
#   - a password grant for a user who is a member of 20 groups,
# each loaded with wrk for a bounded time on loopback. Reports requests/s and latency.
#
#   bench/scim_scale.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNECTIONS="${2:-8}"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v sqlite3 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq sqlite3; }
cargo build --release -q -p uaa-server --bin uaa

work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
db="$work/uaa.db"
start() {
  ./target/release/uaa serve --config bench/scim.yml --listen "127.0.0.1:$port" \
    --database-url "sqlite://$db?mode=rwc" >>"$work/uaa.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$work/uaa.log"; exit 1
}

# 1. Create and migrate the database (bootstrap creates user `seed`, whose bcrypt hash all the
#    generated users share, so every one of them can log in with `seedpass`).
start; kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

echo "seeding 100,000 users and 1,000 groups..."
sqlite3 "$db" <<'SQL'
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO users (id, created, lastmodified, version, username, password, email, givenname,
                   familyname, active, verified, origin, identity_zone_id, passwd_lastmodified)
SELECT printf('00000000-0000-4000-8000-%012d', i), 1700000000000 + i, 1700000000000 + i, 0,
       printf('user%05d', i), (SELECT password FROM users WHERE username = 'seed'),
       printf('user%05d@example.com', i), 'Given', printf('Family%d', i), 1, 1, 'uaa', 'uaa',
       1700000000000
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO groups (id, displayname, description, created, lastmodified, version, identity_zone_id)
SELECT printf('10000000-0000-4000-8000-%012d', i), printf('bench.group%04d', i), NULL,
       1700000000000, 1700000000000, 0, 'uaa'
FROM n;
-- user00001 is a member of 20 groups; every user is in two of them.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO group_membership (group_id, member_id, member_type, authorities, added, origin, identity_zone_id)
SELECT printf('10000000-0000-4000-8000-%012d', i), '00000000-0000-4000-8000-000000000001',
       'USER', 'READ', 1700000000000, 'uaa', 'uaa' FROM n;
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO group_membership (group_id, member_id, member_type, authorities, added, origin, identity_zone_id)
SELECT printf('10000000-0000-4000-8000-%012d', 1 + (i % 1000)), printf('00000000-0000-4000-8000-%012d', i),
       'USER', 'READ', 1700000000000, 'uaa', 'uaa' FROM n
UNION ALL
SELECT printf('10000000-0000-4000-8000-%012d', 1 + ((i * 7) % 1000)), printf('00000000-0000-4000-8000-%012d', i),
       'USER', 'READ', 1700000000000, 'uaa', 'uaa' FROM n WHERE (i * 7) % 1000 <> i % 1000;
COMMIT;
ANALYZE;
SQL

start
token="$(curl -sf -u bench:bench-secret -d grant_type=client_credentials "$base/oauth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
echo "machine: $(nproc) cores, $(uname -m)"
echo "users: $(sqlite3 "$db" 'select count(*) from users'), groups: $(sqlite3 "$db" 'select count(*) from groups')"
q='/Users?filter=userName+sw+%22user1%22&count=100'
echo "check: $(curl -sf -H "Authorization: Bearer $token" "$base$q" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["totalResults"], "matches,", len(d["resources"]), "returned")')"

cat >"$work/list.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Accept"] = "application/json"
LUA
cat >"$work/password.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic YmVuY2g6YmVuY2gtc2VjcmV0"
wrk.body = "grant_type=password&username=user00001&password=seedpass"
LUA
echo "== GET $q (${DURATION}s, 1 connection)"
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/list.lua" "$base$q" \
  | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
echo "== GET $q (${DURATION}s, $CONNECTIONS connections)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/list.lua" "$base$q" \
  | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
if [ -n "${EXPLAIN:-}" ]; then
  sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT id FROM users WHERE identity_zone_id='uaa' AND (LOWER(username) LIKE 'user1%' ESCAPE '\\' AND LOWER(username) >= 'user1' AND LOWER(username) < 'user2') ORDER BY created ASC, id ASC LIMIT 100"
  sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM users WHERE identity_zone_id='uaa' AND (LOWER(username) LIKE 'user1%' ESCAPE '\\' AND LOWER(username) >= 'user1' AND LOWER(username) < 'user2')"
fi
# One connection: each grant runs one bcrypt at cost 10, so latency, not throughput, is the
# figure; the group lookup is what this measures on top of bcrypt.
echo "== password grant, member of 20 groups (${DURATION}s, 1 connection)"
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/password.lua" "$base/oauth/token" \
  | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
