#!/usr/bin/env bash
# Starts careslot exactly as the README says (npm start, embedded PostgreSQL, demo data), asks it a
# question with a printed token, then stops it the way a process manager does: SIGTERM to the npm
# process alone. The server and its embedded PostgreSQL must be gone within 10 s. A second start is
# killed with SIGKILL: the watchdog must stop the embedded PostgreSQL within 5 s.
set -euo pipefail
port="${SMOKE_PORT:-4717}"
log="$(mktemp)"
datadir="$(pwd)/.data/pg"

embedded_running() { pgrep -f -- "-D $datadir" >/dev/null; }
# Waits up to $1 seconds for the command in $2… to fail; answers its last status.
gone_within() { local seconds=$1; shift; for _ in $(seq 1 $((seconds * 4))); do "$@" || return 0; sleep 0.25; done; return 1; }
server_running() { pgrep -f "dist/src/main.js" >/dev/null; }

start() {
  : >"$log"
  PORT="$port" npm start >"$log" 2>&1 &
  npm_pid=$!
  for _ in $(seq 1 240); do
    grep -q 'Header to paste' "$log" && return 0
    kill -0 "$npm_pid" 2>/dev/null || { echo "npm start exited early"; cat "$log"; exit 1; }
    sleep 0.5
  done
  echo "no banner within 120 s"; cat "$log"; exit 1
}

started=$SECONDS
start
echo "first start: banner after $((SECONDS - started)) s"
token="$(grep -o 'Bearer cst_[A-Za-z0-9_-]*' "$log" | head -1)"
[ -n "$token" ] || { echo "no demo token printed"; cat "$log"; exit 1; }
answer="$(curl -sf "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: $token" \
  -d '{"query":"{ viewer { kind tenantId } }"}')"
echo "$answer" | grep -q '"kind":"STAFF_USER"' || { echo "unexpected answer: $answer"; cat "$log"; exit 1; }
curl -sf "http://127.0.0.1:$port/graphiql" | grep -qi '<!doctype html' || { echo "GraphiQL page missing"; exit 1; }

# A process manager's stop: SIGTERM to the process it started (npm), nothing else.
kill -TERM "$npm_pid"
gone_within 10 server_running || { echo "server still running 10 s after SIGTERM to npm"; cat "$log"; exit 1; }
gone_within 10 embedded_running || { echo "embedded PostgreSQL still running 10 s after SIGTERM to npm"; cat "$log"; exit 1; }
wait "$npm_pid" || true
grep -q '"msg":"stopping"' "$log" || { echo "server did not log its orderly stop"; cat "$log"; exit 1; }

# A crash nobody cleans up after: the embedded PostgreSQL must not outlive the server for long.
started=$SECONDS
start
echo "second start: banner after $((SECONDS - started)) s"
kill -KILL "$(pgrep -f "dist/src/main.js" | head -1)"
gone_within 5 embedded_running || { echo "embedded PostgreSQL still running 5 s after the server was killed"; cat "$log"; exit 1; }
wait "$npm_pid" 2>/dev/null || true
echo "embedded smoke test passed: started, answered, stopped on SIGTERM to npm within 10 s, no PostgreSQL left after SIGKILL"
