#!/usr/bin/env bash
# Resident memory of the real binary with N stored credentials (issue 6, target 5).
#
#   [CREDBOARD_BENCH_CREDENTIALS=N] scripts/memory.sh [INVENTORY_DIR]
#
# N defaults to 100,000. INVENTORY_DIR holds the inventory `cargo bench --bench startup`
# makes of the demo tenant at N credentials (run it with the same CREDBOARD_BENCH_CREDENTIALS;
# default: <target>/credboard-bench/inventory-demo-N). A copy of it is used, so the refresh
# below does not change it.
#
# Starts `credboard demo-server --scale N` (the same generated tenant: same ids) and the
# dashboard against it in a 200x60 tmux pane, and reads VmRSS and VmHWM from
# /proc/PID/status:
#   first frame:  2 s after start, the stored snapshot drawn, the first refresh running;
#   refreshed:    when the header says "refreshed" (N Gets answered and stored);
#   steady:       5 s after that.
# VmHWM is the most the process ever held resident. Uses target/release/credboard, or
# $CREDBOARD_BIN. Needs tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
N=${CREDBOARD_BENCH_CREDENTIALS:-100000}
SOURCE=${1:-$TARGET/credboard-bench/inventory-demo-$N}
BIN=$(realpath "${CREDBOARD_BIN:-$TARGET/release/credboard}")
[ -f "$SOURCE/inventory.sqlite3" ] || {
  echo "no inventory in $SOURCE: run CREDBOARD_BENCH_CREDENTIALS=$N cargo bench --bench startup first" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
WORK=$(mktemp -d)
SESSION="credboard-memory-$$"
DEMO_PID=
cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  [ -n "$DEMO_PID" ] && kill "$DEMO_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/data" "$WORK/home"
cp "$SOURCE/inventory.sqlite3" "$WORK/data/"

"$BIN" demo-server --port 0 --scale "$N" > "$WORK/demo.txt" &
DEMO_PID=$!
for _ in $(seq 200); do
  grep -q "client secret" "$WORK/demo.txt" 2>/dev/null && break
  sleep 0.1
done
ENDPOINT=$(awk '$1 == "endpoint" {print $2}' "$WORK/demo.txt")
CLIENT_ID=$(awk '$1 == "client" && $2 == "id" {print $3}' "$WORK/demo.txt")
SECRET=$(awk '$1 == "client" && $2 == "secret" {print $3}' "$WORK/demo.txt")

# The inventory is keyed by tenant (the endpoint's host:port): the copy's rows move to this
# demo tenant's key, so that they are its own.
scripts/rekey.py "$WORK/data/inventory.sqlite3" "${ENDPOINT#http://}"

tmux new-session -d -s "$SESSION" -x 200 -y 60 \
  "exec env HOME=$WORK/home TERM=xterm-256color CONE_CLIENT_ID='$CLIENT_ID' \
   CONE_CLIENT_SECRET='$SECRET' CONE_API_ENDPOINT='$ENDPOINT' $BIN --data-dir $WORK/data"
PID=$(tmux display -p -t "$SESSION" '#{pane_pid}')
STARTED=$(date +%s.%N)

report() { # label
  awk -v l="$1" '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {
    printf "%-12s VmRSS %4.0f MB   VmHWM %4.0f MB\n", l, r / 1024, h / 1024 }' "/proc/$PID/status"
}

sleep 2
report "first frame"
for _ in $(seq 600); do
  tmux capture-pane -p -t "$SESSION" | head -1 | grep -q "refreshed" && break
  sleep 0.5
done
tmux capture-pane -p -t "$SESSION" | head -2
awk -v s="$STARTED" -v e="$(date +%s.%N)" 'BEGIN { printf "refresh done after %.1f s\n", e - s }'
report "refreshed"
sleep 5
report "steady"
tmux send-keys -t "$SESSION" q
sleep 0.5
