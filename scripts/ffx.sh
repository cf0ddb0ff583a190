#!/usr/bin/env bash
# Launch-to-first-frame of the real binary (issue 6, target 3).
#
#   scripts/first-frame.sh [DATA_DIR] [RUNS]
#
# DATA_DIR holds an inventory.sqlite3 for profile "default": `cargo bench --bench startup`
# makes one of 100,000 credentials (default: <target>/credboard-bench/inventory-demo-100000;
# with CREDBOARD_BENCH_SHAPE=synthetic, .../inventory-synthetic-100000).
# Runs target/release/credboard (or $CREDBOARD_BIN) RUNS times (default 11) in a pseudo-
# terminal of 200x60 and prints, per run and as medians:
#   first frame:       from just before exec to the first byte of the first frame (the
#                      first output after the switch to the alternate screen), which may
#                      come before the stored inventory is read;
#   stored rows shown: to the first output that shows the stored count ("N credentials");
#   that frame done:   to the end of that burst of output (no more bytes for 10 ms).
# The tenant endpoint is a local socket that accepts connections and never answers, so
# every frame measured was drawn before any network reply. It runs on a copy of the
# inventory, its rows moved to that endpoint's tenant key (scripts/rekey.py). The user's own
# config and inventory are not read: HOME points at an empty temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${1:-${CARGO_TARGET_DIR:-target}/credboard-bench/inventory-demo-100000}
RUNS=${2:-11}
BIN=${CREDBOARD_BIN:-${CARGO_TARGET_DIR:-target}/release/credboard}
[ -f "$DATA_DIR/inventory.sqlite3" ] || { echo "no inventory in $DATA_DIR" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release)" >&2; exit 1; }
exec python3 - "$BIN" "$DATA_DIR" "$RUNS" <<'PY'
import os, pty, select, socket, sqlite3, statistics, struct, sys, tempfile, time, fcntl, termios, subprocess

binary, data_dir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

# A black hole: accepts TCP connections, never answers.
hole = socket.socket()
hole.bind(("127.0.0.1", 0))
hole.listen(1024)
port = hole.getsockname()[1]

# A valid client id and secret (the demo tenant's format), read from its banner.
demo = subprocess.Popen([binary, "demo-server", "--port", "0"], stdout=subprocess.PIPE, text=True)
cid = secret = None
for line in demo.stdout:
    parts = line.split()
    if len(parts) >= 3 and parts[0] == "client" and parts[1] == "id":
        cid = parts[2]
    if len(parts) >= 3 and parts[0] == "client" and parts[1] == "secret":
        secret = parts[2]
    if cid and secret:
        break
demo.terminate(); demo.wait()

# The inventory is keyed by tenant (the endpoint's host:port): a copy of it, its rows moved
# to the black hole's key, so that they are this tenant's.
import shutil
work = tempfile.mkdtemp(prefix="credboard-data-")
shutil.copy(os.path.join(data_dir, "inventory.sqlite3"), work)
subprocess.run(["scripts/rekey.py",
                os.path.join(work, "inventory.sqlite3"), f"127.0.0.1:{port}"], check=True)
data_dir = work

home = tempfile.mkdtemp(prefix="credboard-home-")
env = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": home,
    "TERM": "xterm-256color",
    "CONE_CLIENT_ID": cid,
    "CONE_CLIENT_SECRET": secret,
    "CONE_API_ENDPOINT": f"http://127.0.0.1:{port}",
    **({"XARENA": os.environ["XARENA"]} if "XARENA" in os.environ else {}),
}

# How many credentials the inventory holds: the frame that says so shows the stored rows.
db = sqlite3.connect(os.path.join(data_dir, "inventory.sqlite3"))
stored = db.execute("SELECT count(*) FROM credentials").fetchone()[0]
db.close()
import re
count_pattern = re.compile(rb"(\d+)(?:\x1b\[[0-9;]*m)* (?:\x1b\[[0-9;]*m)*credentials")

def one():
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "--data-dir", data_dir], env)
    t0 = time.monotonic()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    buf = b""
    first = end = rows_at = None
    alt = -1
    while True:
        # Until the stored rows are on screen, wait for more output; then for 10 ms of quiet.
        timeout = 0.01 if rows_at is not None else 10
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            break
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        now = time.monotonic()
        buf += chunk
        if alt < 0:
            i = buf.find(b"\x1b[?1049h")
            if i >= 0:
                alt = i + 8
        if alt >= 0 and first is None and len(buf) > alt:
            # The next write after entering the alternate screen is the first frame.
            rest = buf[alt:]
            # Skip the mode switches crossterm sends with it (mouse capture).
            if b"credboard" in rest:
                first = now
        if first is not None and rows_at is None:
            if any(m.group(1) == str(stored).encode() for m in count_pattern.finditer(buf[alt:])):
                rows_at = now
        if rows_at is not None:
            end = now
    os.write(fd, b"q")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    ms = lambda t: (t - t0) * 1e3 if t else float("nan")
    return ms(first), ms(rows_at), ms(end)

results = []
for i in range(runs):
    f, rows, e = one()
    print(f"run {i+1:2}: first frame {f:7.1f} ms  stored rows shown {rows:7.1f} ms  that frame done {e:7.1f} ms")
    results.append((f, rows, e))
    time.sleep(0.3)
med = lambda k: statistics.median(r[k] for r in results)
print(f"median of {runs}: first frame {med(0):.1f} ms, stored rows shown {med(1):.1f} ms, "
      f"that frame done {med(2):.1f} ms ({stored} stored)")
PY
