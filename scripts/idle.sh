#!/usr/bin/env bash
# Idle cost of the real binary (issue 6, target 4).
#
#   scripts/idle.sh [WINDOW_SECONDS]
#
# Runs `credboard --demo` in a 200x60 tmux pane twice and, over a window of WINDOW_SECONDS
# (default 10) once it has settled, reads from /proc:
#   cpu:     time on a CPU of all its threads (sum of /proc/PID/task/*/schedstat), and that as
#            a share of one core over the window;
#   wakeups: context switches of all its threads (voluntary + involuntary, from
#            /proc/PID/task/*/status): each time one of them was woken or preempted;
#   bytes:   what it wrote to the terminal (tmux pipe-pane): 0 means no frame changed a cell.
# The two runs:
#   quiet:    refresh_interval = 0, measured from 65 s after start, when the first refresh
#             is more than a minute old ("refreshed 1m ago" does not change for a minute);
#   default:  the default settings (a background refresh every 60 s), measured from 5 s
#             after start: "refreshed 12s ago" counts seconds, one changed line a second.
# Uses target/release/credboard, or $CREDBOARD_BIN. Needs tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${1:-10}
BIN=$(realpath "${CREDBOARD_BIN:-${CARGO_TARGET_DIR:-target}/release/credboard}")
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
WORK=$(mktemp -d)
SESSION="credboard-idle-$$"
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cpu_ns() { # all threads' time on a CPU, in ns
  local sum=0 t
  for t in /proc/"$1"/task/*/schedstat; do
    read -r run _ < "$t" 2>/dev/null || continue
    sum=$((sum + run))
  done
  echo "$sum"
}

switches() { # "tid switches" per thread: voluntary + involuntary context switches
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '/ctxt_switches/ {s += $2} END {print tid, s + 0}' "$t/status" 2>/dev/null || true
  done
}

measure() { # name, settle seconds, settings file contents
  local name=$1 settle=$2 settings=$3
  printf '%s\n' "$settings" > "$WORK/config.toml"
  : > "$WORK/out-$name"
  tmux new-session -d -s "$SESSION" -x 200 -y 60 \
    "exec env HOME=$WORK TERM=xterm-256color $BIN --demo --config $WORK/config.toml"
  local pid
  pid=$(tmux display -p -t "$SESSION" '#{pane_pid}')
  sleep "$settle"
  tmux pipe-pane -o -t "$SESSION" "cat >> $WORK/out-$name"
  local c0 c1 w
  c0=$(cpu_ns "$pid"); switches "$pid" > "$WORK/w0"
  sleep "$WINDOW"
  c1=$(cpu_ns "$pid"); switches "$pid" > "$WORK/w1"
  # Threads present at both ends (a thread that came or went is named separately).
  w=$(awk 'NR == FNR {a[$1] = $2; next} ($1 in a) {s += $2 - a[$1]} END {print s + 0}' "$WORK/w0" "$WORK/w1")
  local changed
  changed=$(cat "$WORK/w0" "$WORK/w1" | awk '{print $1}' | sort | uniq -u | wc -l)
  tmux pipe-pane -t "$SESSION"
  local bytes threads
  bytes=$(wc -c < "$WORK/out-$name")
  threads=$(ls /proc/"$pid"/task | wc -l)
  tmux send-keys -t "$SESSION" q
  sleep 0.5
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  awk -v n="$name" -v c="$((c1 - c0))" -v w="$w" -v s="$WINDOW" -v b="$bytes" -v t="$threads" -v x="$changed" 'BEGIN {
    printf "%-8s window %ss: cpu %.1f ms (%.3f %% of a core), wakeups %d (%.1f/s over %d threads; %d came or went), bytes written %d\n",
      n, s, c / 1e6, c / 1e7 / s, w, w / s, t, x, b }'
}

measure quiet 65 'refresh_interval = 0'
measure default 5 ''
