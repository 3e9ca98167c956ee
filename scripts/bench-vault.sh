#!/usr/bin/env bash
# The vault's sync against rsync over loopback on the same tree (docs/benchmarks.md).
# Usage: scripts/bench-vault.sh [FILES] [MB]   (default 10000 files, about 1024 MB; REPS=3 first syncs each)
# Needs rsync, curl and python3 (and, for the encrypted anchor, sshd: apt-get install rsync openssh-server).
# All run on this machine over loopback: rsync to its daemon (plain TCP), rsync over ssh (encrypted,
# when sshd can be started here), and `cervella serve` with a `cervella sync` device (TLS, encrypted at
# rest, fsynced). Each first sync starts from an empty destination (a fresh server for cervella); the
# three take turns, REPS times, and the medians are compared. The page cache is warm for all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=${1:-10000}
mb=${2:-1024}
reps=${REPS:-3}
work=$(mktemp -d /tmp/bench-vault.XXXXXX)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  pkill -f -- "$work/" 2>/dev/null || true # the --watch devices: java under the function's subshell
  for pid in "$work"/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  sleep 1; rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
change() { printf '\nuna riga nuova %s\n' "$1" >> "$work/src/area-07/progetto-007/nota-00007.md"; }

echo "building..." >&2
./cervella --version >/dev/null 2>&1
echo "generating $files files, ~$mb MB in $work/src..." >&2
python3 scripts/gen-vault-tree.py "$work/src" "$files" "$mb"
size=$(du -sb "$work/src" | cut -f1)
sync

# rsync's daemon on loopback
cat > "$work/rsyncd.conf" <<CONF
pid file = $work/rsyncd.pid
log file = $work/rsyncd.log
use chroot = no
uid = $(id -u)
gid = $(id -g)
[dst]
  path = $work/rsync-dst
  read only = no
CONF
mkdir -p "$work/rsync-dst"
rsync --daemon --config="$work/rsyncd.conf" --port=28730 --address=127.0.0.1
for _ in $(seq 1 50); do grep -q "listening on port" "$work/rsyncd.log" 2>/dev/null && break; sleep 0.1; done

# sshd on loopback, with its own host and user keys (needs root to start here)
ssh_ok=no
if command -v sshd >/dev/null && [ "$(id -u)" = 0 ]; then
  ssh-keygen -q -t ed25519 -N '' -f "$work/host"; ssh-keygen -q -t ed25519 -N '' -f "$work/user"
  cp "$work/user.pub" "$work/authorized_keys"; chmod 600 "$work/authorized_keys"
  printf 'Port 28732\nListenAddress 127.0.0.1\nHostKey %s/host\nPidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\nPasswordAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n' \
    "$work" "$work" "$work" > "$work/sshd_config"
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$work/sshd_config" && ssh_ok=yes && sleep 0.5
fi
ssh_e="ssh -p 28732 -i $work/user -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"

# cervella: a fresh server (empty vault) for each first sync
export CERVELLA_VAULT_PASSPHRASE=bench-passphrase
server() {  # $1 = data dir; starts the server, prints a device key
  ./cervella serve --data "$1" --port 28731 --bind 127.0.0.1 > "$1.log" 2>&1 &
  echo $! > "$1.pid"
  for _ in $(seq 1 120); do grep -q "cervella ready" "$1.log" 2>/dev/null && break; sleep 0.5; done
  newkey "$1" laptop
}
newkey() {
  curl -s --cacert "$1/tls/ca.pem" -H "Authorization: Bearer $(cat "$1/admin.key")" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$2\",\"scopes\":[\"vault\"]}" https://localhost:28731/admin/keys | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}
csync() {  # $1 = data dir, $2 = key, $3 = folder, rest: more flags
  local data=$1 key=$2 dir=$3; shift 3
  ./cervella sync "$dir" --server https://localhost:28731 --key "$key" --cacert "$data/tls/ca.pem" "$@"
}

d_times=(); s_times=(); c_times=()
for r in $(seq 1 "$reps"); do
  rm -rf "$work/rsync-dst"/* "$work/ssh-dst" "$work/src/.cervella"
  sync # each timed run starts with nothing of the last one's still being written or deleted
  t0=$(now); rsync -a --stats --exclude=.cervella "$work/src/" rsync://127.0.0.1:28730/dst/ > "$work/rsync1.log"; t1=$(now); sync
  d_times+=("$(secs "$t0" "$t1")")
  if [ "$ssh_ok" = yes ]; then
    mkdir -p "$work/ssh-dst"
    t0=$(now); rsync -a --exclude=.cervella -e "$ssh_e" "$work/src/" root@127.0.0.1:"$work/ssh-dst/"; t1=$(now); sync
    s_times+=("$(secs "$t0" "$t1")")
  fi
  [ -f "$work/data.pid" ] && kill "$(cat "$work/data.pid")" && sleep 1
  rm -rf "$work/data"
  key=$(server "$work/data")
  sync
  t0=$(now); csync "$work/data" "$key" "$work/src" > "$work/sync1.log" 2>/dev/null; t1=$(now); sync
  c_times+=("$(secs "$t0" "$t1")")
  echo "rep $r: rsync daemon ${d_times[-1]} s, rsync ssh ${s_times[-1]:-n/a} s, cervella ${c_times[-1]} s" >&2
done

# second syncs with one file changed (each tool on the destination its last first sync made)
change daemon
t0=$(now); rsync -a --stats --exclude=.cervella "$work/src/" rsync://127.0.0.1:28730/dst/ > "$work/rsync2.log"; t1=$(now)
d_second=$(secs "$t0" "$t1")
s_second=n/a
if [ "$ssh_ok" = yes ]; then
  change ssh
  t0=$(now); rsync -a --exclude=.cervella -e "$ssh_e" "$work/src/" root@127.0.0.1:"$work/ssh-dst/"; t1=$(now)
  s_second=$(secs "$t0" "$t1")
fi
t0=$(now); csync "$work/data" "$key" "$work/src" > "$work/sync-noop.log" 2>/dev/null; t1=$(now)
noop=$(secs "$t0" "$t1")
change cervella
t0=$(now); csync "$work/data" "$key" "$work/src" > "$work/sync2.log" 2>/dev/null; t1=$(now)
c_second=$(secs "$t0" "$t1")

# a second device: its first pull, then --watch on both, one file changed on the laptop until it is on the desktop
key2=$(newkey "$work/data" desktop)
mkdir -p "$work/desktop"
t0=$(now); csync "$work/data" "$key2" "$work/desktop" > "$work/pull.log" 2>/dev/null; t1=$(now)
pull=$(secs "$t0" "$t1")
csync "$work/data" "$key" "$work/src" --watch > "$work/watch1.log" 2>&1 &
csync "$work/data" "$key2" "$work/desktop" --watch > "$work/watch2.log" 2>&1 &
sleep 8
watch_times=()
for n in 1 2 3 4 5; do
  marker="watch-$n-$RANDOM"
  t0=$(now); change "$marker"
  until grep -q "$marker" "$work/desktop/area-07/progetto-007/nota-00007.md" 2>/dev/null; do sleep 0.01; done
  t1=$(now); watch_times+=("$(secs "$t0" "$t1")")
  sleep 1
done
identical=$(diff -r -x .cervella "$work/src" "$work/desktop" >/dev/null && echo yes || echo no)
stored=$(du -sb "$work/data/vault" | cut -f1)

d=$(median "${d_times[@]}"); c=$(median "${c_times[@]}"); s=n/a
[ "$ssh_ok" = yes ] && s=$(median "${s_times[@]}")
ratio() { python3 -c "print('n/a' if 'n/a' in ('$1', '$2') else f'{$1/$2:.1f}x')"; }
echo
echo "tree: $files files, $((size / 1048576)) MiB; $(nproc) cores; median of $reps first syncs each"
printf '| run | rsync daemon | rsync over ssh | cervella sync | vs daemon | vs ssh |\n|---|---|---|---|---|---|\n'
printf '| first sync | %s s | %s s | %s s | %s | %s |\n' "$d" "$s" "$c" "$(ratio "$c" "$d")" "$(ratio "$c" "$s")"
printf '| second sync, one file changed, a new process | %s s | %s s | %s s | %s | %s |\n' "$d_second" "$s_second" "$c_second" \
  "$(ratio "$c_second" "$d_second")" "$(ratio "$c_second" "$s_second")"
echo "first syncs: rsync daemon ${d_times[*]}; rsync ssh ${s_times[*]:-n/a}; cervella ${c_times[*]}"
echo "bytes sent, first: rsync $(grep 'Total bytes sent' "$work/rsync1.log" | tr -dc 0-9); cervella $(grep -o 'synced: .*' "$work/sync1.log")"
echo "bytes sent, second: rsync $(grep 'Total bytes sent' "$work/rsync2.log" | tr -dc 0-9); cervella $(grep -o 'synced: .*' "$work/sync2.log")"
echo "cervella sync with nothing changed: $noop s; a new device's first pull: $pull s; vault on disk: $((stored / 1048576)) MiB"
echo "--watch, laptop to desktop, one changed file: ${watch_times[*]} s; folders identical: $identical"
