#!/usr/bin/env bash
# Starts careslot exactly as the README says (npm start, embedded PostgreSQL, demo data),
# asks it a question with a printed token, stops it with SIGTERM and expects a clean exit.
set -euo pipefail
port="${SMOKE_PORT:-4717}"
log="$(mktemp)"
# Own process group, so SIGTERM reaches npm and the server at once, as a terminal's Ctrl+C would.
PORT="$port" setsid npm start >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; cat "$log"' ERR

for _ in $(seq 1 240); do
  grep -q 'Header to paste' "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "npm start exited early"; cat "$log"; exit 1; }
  sleep 0.5
done
token="$(grep -o 'Bearer cst_[A-Za-z0-9_-]*' "$log" | head -1)"
[ -n "$token" ] || { echo "no demo token printed"; cat "$log"; exit 1; }

answer="$(curl -sf "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -H "authorization: $token" \
  -d '{"query":"{ viewer { kind tenantId } }"}')"
echo "$answer" | grep -q '"kind":"STAFF_USER"' || { echo "unexpected answer: $answer"; cat "$log"; exit 1; }
curl -sf "http://127.0.0.1:$port/graphiql" | grep -qi '<!doctype html' || { echo "GraphiQL page missing"; exit 1; }

kill -TERM -- "-$pid"
# npm may exit before the server has finished stopping: wait for the whole process group.
for _ in $(seq 1 60); do pgrep -g "$pid" >/dev/null || break; sleep 0.5; done
if pgrep -g "$pid" >/dev/null; then echo "server did not stop on SIGTERM"; cat "$log"; exit 1; fi
wait "$pid" || true
grep -q '"msg":"stopping"' "$log" || { echo "server did not log its orderly stop"; cat "$log"; exit 1; }
if pgrep -f -- "-D $(pwd)/.data/pg" >/dev/null; then echo "embedded PostgreSQL still running after the server stopped"; cat "$log"; exit 1; fi
echo "embedded smoke test passed: started, answered, stopped cleanly"
