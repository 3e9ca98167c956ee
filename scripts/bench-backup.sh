#!/usr/bin/env bash
# cervella backup against restic on the same data directory (docs/benchmarks.md, Backups against restic).
# Usage: scripts/bench-backup.sh [FILES] [MB]   (default 10000 files, about 1024 MB; REPS=3)
# SHAPE=files: the data directory's vault/ folder holds the tree's files themselves (10,000 small files
# instead of ~75 packs): what per-file costs weigh.
# Needs restic (apt-get install restic), curl, python3, rsync. The data: a platform whose vault holds a
# synced tree of FILES notes (scripts/gen-vault-tree.py); then 1% of the notes changed and synced again.
# Each rep: fresh repositories; the first backup of the data as it was, a second after the change,
# the repositories' sizes, and a restore of the second snapshot. Every timed step starts after a sync
# (no tool pays for the other's writeback), the tools take turns going first; medians compared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=${1:-10000}
mb=${2:-1024}
reps=${REPS:-3}
work=$(mktemp -d /tmp/bench-backup.XXXXXX)
cleanup() { [ -f "$work/server.pid" ] && kill "$(cat "$work/server.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
export CERVELLA_VAULT_PASSPHRASE=bench-vault-passphrase
export CERVELLA_BACKUP_PASSPHRASE=bench-backup-passphrase
export RESTIC_PASSWORD=bench-backup-passphrase

echo "building..." >&2
./cervella --version >/dev/null 2>&1
echo "a platform whose vault holds $files notes (~$mb MB)..." >&2
python3 scripts/gen-vault-tree.py "$work/tree" "$files" "$mb"
if [ "${SHAPE:-packs}" = files ]; then
  ./cervella serve --data "$work/data" --port 28741 --bind 127.0.0.1 > "$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do grep -q "cervella ready" "$work/server.log" 2>/dev/null && break; sleep 0.5; done
  kill $pid; while kill -0 $pid 2>/dev/null; do sleep 0.2; done
  cp -a "$work/tree" "$work/data/vault-files"; rm -rf "$work/data/vault"; mv "$work/data/vault-files" "$work/data/vault"
  cp -a "$work/data" "$work/data-before"
  python3 - "$work/data/vault" <<'PY'
import os, sys
root = sys.argv[1]
names = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
for n in names[::100]:
    with open(n, 'a') as f:
        f.write('\nuna riga cambiata\n')
PY
  mv "$work/data" "$work/data-after"
  echo "(the tree's files themselves under vault/)" > "$work/sync2.log"
else
serve() {
    ./cervella serve --data "$work/data" --port 28741 --bind 127.0.0.1 > "$work/server.log" 2>&1 &
    echo $! > "$work/server.pid"
    for _ in $(seq 1 120); do grep -q "cervella ready" "$work/server.log" 2>/dev/null && break; sleep 0.5; done
  }
  stop() { kill "$(cat "$work/server.pid")"; while kill -0 "$(cat "$work/server.pid")" 2>/dev/null; do sleep 0.2; done; rm -f "$work/server.pid"; }
  serve
  key=$(curl -s --cacert "$work/data/tls/ca.pem" -H "Authorization: Bearer $(cat "$work/data/admin.key")" -H 'Content-Type: application/json' \
    -d '{"name":"laptop","scopes":["vault"]}' https://localhost:28741/admin/keys | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  ./cervella sync "$work/tree" --server https://localhost:28741 --key "$key" --cacert "$work/data/tls/ca.pem" > /dev/null 2>&1
  stop
  cp -a "$work/data" "$work/data-before"
  # 1% of the notes changed (a line appended to every 100th), synced into the vault
  python3 - "$work/tree" <<'PY'
import os, sys
root = sys.argv[1]
names = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) if '.cervella' not in d for f in fs)
for n in names[::100]:
    with open(n, 'a') as f:
        f.write('\nuna riga cambiata\n')
PY
  serve
  ./cervella sync "$work/tree" --server https://localhost:28741 --key "$key" --cacert "$work/data/tls/ca.pem" > "$work/sync2.log" 2>&1
  stop
  mv "$work/data" "$work/data-after"
fi
size=$(du -sb "$work/data-after" | cut -f1)
count=$(find "$work/data-after" -type f | wc -l)
echo "data directory: $count files, $size bytes ($(tail -1 "$work/sync2.log"))" >&2

r1=(); r2=(); rs=(); rr=(); c1=(); c2=(); cs=(); cr=()
# one timed step: the page cache flushed first, so that neither tool pays for the other's writeback
timed() { sync; local t0 t1; t0=$(now); "$@" > /dev/null 2>&1; t1=$(now); secs "$t0" "$t1"; }
restic_first() { timed restic backup --repo "$work/restic-repo" -q "$work/data"; }
cervella_backup() { timed ./cervella backup run --data "$work/data" --repo "$work/cervella-repo"; }
for r in $(seq 1 "$reps"); do
  rm -rf "$work/restic-repo" "$work/cervella-repo" "$work/restic-restore" "$work/cervella-restore" "$work/data"
  restic init --repo "$work/restic-repo" -q > /dev/null
  cp -a "$work/data-before" "$work/data"; cat $(find "$work/data" -type f) > /dev/null
  # the tools take turns going first
  if [ $((r % 2)) = 1 ]; then r1+=("$(restic_first)"); c1+=("$(cervella_backup)"); else c1+=("$(cervella_backup)"); r1+=("$(restic_first)"); fi
  rm -rf "$work/data"; cp -a "$work/data-after" "$work/data"; cat $(find "$work/data" -type f) > /dev/null
  if [ $((r % 2)) = 1 ]; then r2+=("$(restic_first)"); c2+=("$(cervella_backup)"); else c2+=("$(cervella_backup)"); r2+=("$(restic_first)"); fi
  rs+=("$(du -sb "$work/restic-repo" | cut -f1)"); cs+=("$(du -sb "$work/cervella-repo" | cut -f1)")
  restic_restore() { timed restic restore latest --repo "$work/restic-repo" --target "$work/restic-restore" -q; }
  cervella_restore() { timed ./cervella restore --snapshot latest --data "$work/cervella-restore" --repo "$work/cervella-repo"; }
  if [ $((r % 2)) = 1 ]; then rr+=("$(restic_restore)"); cr+=("$(cervella_restore)"); else cr+=("$(cervella_restore)"); rr+=("$(restic_restore)"); fi
  [ -z "$(diff -r "$work/data" "$work/cervella-restore" 2>&1 | grep -v '^Only in .*/data: \(cervella.db-wal\|cervella.db-shm\|backups\)' | grep -v 'cervella.db differ')" ] \
    || { echo "cervella's restore differs from the data:" >&2; diff -rq "$work/data" "$work/cervella-restore" >&2 || true; }
  echo "rep $r: first restic ${r1[-1]} s / cervella ${c1[-1]} s; second ${r2[-1]} / ${c2[-1]} s; repo ${rs[-1]} / ${cs[-1]} B; restore ${rr[-1]} / ${cr[-1]} s" >&2
done
ratio() { python3 -c "print(f'{$2 / $1:.2f}x')"; }
R1=$(median "${r1[@]}"); C1=$(median "${c1[@]}"); R2=$(median "${r2[@]}"); C2=$(median "${c2[@]}")
RS=$(median "${rs[@]}"); CS=$(median "${cs[@]}"); RR=$(median "${rr[@]}"); CR=$(median "${cr[@]}")
echo
echo "data: $count files, $size bytes; $(nproc) cores; median of $reps"
echo "| | restic $(restic version | cut -d' ' -f2) | cervella | cervella / restic |"
echo "|---|---|---|---|"
echo "| first backup | $R1 s | $C1 s | $(ratio "$R1" "$C1") |"
echo "| second backup, 1% of the notes changed | $R2 s | $C2 s | $(ratio "$R2" "$C2") |"
echo "| repository size | $(python3 -c "print(f'{$RS/1048576:.1f}')") MiB | $(python3 -c "print(f'{$CS/1048576:.1f}')") MiB | $(ratio "$RS" "$CS") |"
echo "| restore | $RR s | $CR s | $(ratio "$RR" "$CR") |"
echo "runs: first ${r1[*]} / ${c1[*]}; second ${r2[*]} / ${c2[*]}; restore ${rr[*]} / ${cr[*]}"
