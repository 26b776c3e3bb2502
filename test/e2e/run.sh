#!/usr/bin/env bash
# End-to-end tests of `assoc serve` with the real enigma.js client.
#
#   test/e2e/run.sh <path to the assoc binary>
#
# Installs the node modules when missing (npm ci, from package-lock.json),
# starts `assoc serve` on a free loopback port with a temporary document
# directory and test/e2e/testdata as the only folder-connection root, waits
# for /health, runs tests/*.test.mjs with `node --test`, and always stops the
# server. Exits non-zero when a test fails or the server cannot start; the
# server's log is printed on failure (and kept with ASSOC_E2E_KEEP=1).
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 <path to the assoc binary>" >&2
	exit 2
fi
bin=$1
[ -x "$bin" ] || { echo "e2e: $bin is not an executable" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

command -v node >/dev/null || { echo "e2e: node is not installed" >&2; exit 2; }
if [ ! -d node_modules/enigma.js ] || [ ! -d node_modules/ws ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "e2e: installing node modules (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/assoc-e2e.XXXXXX")
server_pid=
cleanup() {
	status=$?
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "$status" -ne 0 ] && [ -f "$tmp/server.log" ]; then
		echo "---- assoc serve log (last 60 lines) ----" >&2
		tail -n 60 "$tmp/server.log" >&2
	fi
	if [ "${ASSOC_E2E_KEEP:-}" = 1 ]; then
		echo "e2e: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$tmp/docs"
"$bin" serve --addr "127.0.0.1:$port" --docs-dir "$tmp/docs" --allow-dir "$here/testdata" \
	--max-session-ttl 60 --shutdown-timeout 5s --log-level debug >"$tmp/server.log" 2>&1 &
server_pid=$!

export ASSOC_E2E_HTTP="http://127.0.0.1:$port"
export ASSOC_E2E_WS="ws://127.0.0.1:$port"
export ASSOC_E2E_TESTDATA="$here/testdata"

ready=
for _ in $(seq 1 100); do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "e2e: assoc serve exited before it was ready" >&2
		exit 1
	fi
	if node -e 'fetch(process.env.ASSOC_E2E_HTTP+"/health").then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))'; then
		ready=1
		break
	fi
	sleep 0.1
done
[ -n "$ready" ] || { echo "e2e: /health did not turn 200 within 10 s" >&2; exit 1; }
echo "e2e: assoc serve is ready on port $port"

# One test file at a time where node supports choosing (20.10 and later).
concurrency=()
if node --test-concurrency=1 -e '' 2>/dev/null; then
	concurrency=(--test-concurrency=1)
fi
node --test "${concurrency[@]}" tests/*.test.mjs
