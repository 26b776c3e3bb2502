#!/usr/bin/env bash
# Headless-Chromium test of the web hub: real nebula.js against `assoc serve --demo`.
#
#   test/browser/run.sh <path to the assoc binary>
#
# Installs what it needs: the pinned node modules (npm ci, from
# package-lock.json: playwright-core only) and Debian's chromium
# (apt-get install -y chromium) when /usr/bin/chromium is missing; it skips,
# with a message saying why, only when chromium cannot be installed. Then it
# starts `assoc serve --demo` on a free loopback port, waits for /health
# (which turns 200 once the demo app is loaded), runs sheet.test.mjs with
# `node --test`, and always stops the server. Screenshots, the browser
# console and the QIX traffic go to test/browser/artifacts/. On failure the
# end of the server log is printed (ASSOC_BROWSER_KEEP=1 keeps all of it).
#
# Environment: ASSOC_CHROMIUM (default /usr/bin/chromium);
# ASSOC_BROWSER_STRICT=1 fails when sn-filter-pane cannot render and the
# sheet falls back to nebula.js listboxes.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 <path to the assoc binary>" >&2
	exit 2
fi
bin=$1
[ -x "$bin" ] || { echo "browser: $bin is not an executable" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

command -v node >/dev/null || { echo "browser: node is not installed" >&2; exit 2; }
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "browser: installing node modules (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
fi

# Debian's chromium: playwright's own browser download does not work here.
chromium=${ASSOC_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	echo "browser: $chromium is missing: installing Debian's chromium"
	sudo=()
	if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
		sudo=(sudo -n)
	fi
	aptlog=$(mktemp "${TMPDIR:-/tmp}/assoc-apt.XXXXXX")
	if command -v apt-get >/dev/null; then
		export DEBIAN_FRONTEND=noninteractive
		"${sudo[@]}" apt-get install -y -qq chromium >"$aptlog" 2>&1 ||
			{ "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq chromium; } >>"$aptlog" 2>&1 || true
	fi
	if [ ! -x "$chromium" ]; then
		echo "browser: SKIP: cannot install chromium ($chromium still missing); the apt-get output ends with:"
		tail -n 5 "$aptlog" 2>/dev/null || true
		rm -f "$aptlog"
		exit 0
	fi
	rm -f "$aptlog"
fi
export ASSOC_CHROMIUM=$chromium
echo "browser: $("$chromium" --version 2>/dev/null | head -n 1)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/assoc-browser.XXXXXX")
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
	if [ -f "$tmp/server.log" ]; then
		mkdir -p "$here/artifacts"
		cp "$tmp/server.log" "$here/artifacts/server.log"
	fi
	if [ "$status" -ne 0 ] && [ -f "$tmp/server.log" ]; then
		echo "---- assoc serve log (last 40 lines; all of it in test/browser/artifacts/server.log) ----" >&2
		tail -n 40 "$tmp/server.log" | cut -c1-400 >&2
	fi
	if [ "${ASSOC_BROWSER_KEEP:-}" = 1 ]; then
		echo "browser: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$bin" serve --demo --addr "127.0.0.1:$port" --metrics-addr= --shutdown-timeout 5s --log-level debug >"$tmp/server.log" 2>&1 &
server_pid=$!

export ASSOC_BROWSER_HTTP="http://127.0.0.1:$port"
ready=
for _ in $(seq 1 300); do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "browser: assoc serve exited before it was ready" >&2
		exit 1
	fi
	if node -e 'fetch(process.env.ASSOC_BROWSER_HTTP+"/health").then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))'; then
		ready=1
		break
	fi
	sleep 0.1
done
[ -n "$ready" ] || { echo "browser: /health did not turn 200 within 30 s" >&2; exit 1; }
if grep -q 'cannot load the demo app' "$tmp/server.log"; then
	echo "browser: the demo app was created without data (its reload failed):" >&2
	grep 'cannot load the demo app' "$tmp/server.log" | cut -c1-600 >&2
	exit 1
fi
echo "browser: assoc serve --demo is ready on port $port"

node --test --test-reporter=spec sheet.test.mjs
