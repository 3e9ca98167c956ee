#!/usr/bin/env bash
# The vault's sync against rsync over loopback on the same tree (docs/benchmarks.md).
# Usage: scripts/bench-vault.sh [FILES] [MB]   (default 10000 files, about 1024 MB)
# Needs rsync, curl and python3 (and, for the encrypted anchor, sshd: apt-get install rsync openssh-server).
# All run on this machine over loopback: rsync to its daemon (plain TCP), rsync over ssh (encrypted,
# when sshd can be started here), and `cervella serve` with a `cervella sync` device (TLS, encrypted at
# rest). The page cache is warm for all: the tree was just written.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=${1:-10000}
mb=${2:-1024}
work=$(mktemp -d /tmp/bench-vault.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/rsyncd.pid" ] && kill "$(cat "$work/rsyncd.pid")" 2>/dev/null; cp "$work"/*.log /tmp/bench-vault-logs/ 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p /tmp/bench-vault-logs
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "building..." >&2
./cervella --version >/dev/null
echo "generating $files files, ~$mb MB in $work/src..." >&2
python3 scripts/gen-vault-tree.py "$work/src" "$files" "$mb"
size=$(du -sb "$work/src" | cut -f1)
sync  # the new tree's pages are written back before anything is timed
change() { printf '\nuna riga nuova %s\n' "$1" >> "$work/src/area-07/progetto-007/nota-00007.md"; }

# rsync: a daemon on loopback, a module writing into rsync-dst
mkdir -p "$work/rsync-dst"
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
rsync --daemon --config="$work/rsyncd.conf" --port=28730 --address=127.0.0.1
for _ in $(seq 1 50); do grep -q "listening on port" "$work/rsyncd.log" 2>/dev/null && break; sleep 0.1; done
t0=$(now); rsync -a --stats "$work/src/" rsync://127.0.0.1:28730/dst/ > "$work/rsync1.log"; t1=$(now)
rsync_first=$(secs "$t0" "$t1"); sync; sync
change rsync
t0=$(now); rsync -a --stats "$work/src/" rsync://127.0.0.1:28730/dst/ > "$work/rsync2.log"; t1=$(now)
rsync_second=$(secs "$t0" "$t1")
rsync_bytes1=$(grep 'Total bytes sent' "$work/rsync1.log" | tr -dc 0-9)
rsync_bytes2=$(grep 'Total bytes sent' "$work/rsync2.log" | tr -dc 0-9)
rm -rf "$work/rsync-dst"

# rsync over ssh: a throwaway sshd on loopback with its own host and user keys
ssh_first=n/a; ssh_second=n/a
if command -v sshd >/dev/null && [ "$(id -u)" = 0 ]; then
  ssh-keygen -q -t ed25519 -N '' -f "$work/host"; ssh-keygen -q -t ed25519 -N '' -f "$work/user"
  cp "$work/user.pub" "$work/authorized_keys"; chmod 600 "$work/authorized_keys"
  printf 'Port 28732\nListenAddress 127.0.0.1\nHostKey %s/host\nPidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\nPasswordAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\n' \
    "$work" "$work" "$work" > "$work/sshd_config"
  mkdir -p /run/sshd
  if /usr/sbin/sshd -f "$work/sshd_config"; then
    sleep 0.5
    e="ssh -p 28732 -i $work/user -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    mkdir -p "$work/ssh-dst"
    t0=$(now); rsync -a -e "$e" "$work/src/" root@127.0.0.1:"$work/ssh-dst/"; t1=$(now)
    ssh_first=$(secs "$t0" "$t1"); sync; sync
    change ssh
    t0=$(now); rsync -a -e "$e" "$work/src/" root@127.0.0.1:"$work/ssh-dst/"; t1=$(now)
    ssh_second=$(secs "$t0" "$t1")
    kill "$(cat "$work/sshd.pid")"; rm -rf "$work/ssh-dst"
  fi
fi

# cervella: a server on loopback, the folder synced by a device with its own key
export CERVELLA_VAULT_PASSPHRASE=bench-passphrase
./cervella serve --data "$work/data" --port 28731 --bind 127.0.0.1 > "$work/serve.log" 2>&1 &
for _ in $(seq 1 120); do grep -q "cervella ready" "$work/serve.log" && break; sleep 0.5; done
admin=$(cat "$work/data/admin.key")
key=$(curl -s --cacert "$work/data/tls/ca.pem" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"laptop","scopes":["vault"]}' https://localhost:28731/admin/keys | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
sync() { ./cervella sync "$work/src" --server https://localhost:28731 --key "$key" --cacert "$work/data/tls/ca.pem"; }
t0=$(now); sync > "$work/sync1.log" 2>/dev/null; t1=$(now)
first=$(secs "$t0" "$t1"); sync
t0=$(now); sync > "$work/sync-noop.log" 2>/dev/null; t1=$(now)
noop=$(secs "$t0" "$t1")
change cervella
t0=$(now); sync > "$work/sync2.log" 2>/dev/null; t1=$(now)
second=$(secs "$t0" "$t1")

# --watch on two devices: one file changed on the laptop, until it is on the desktop
key2=$(curl -s --cacert "$work/data/tls/ca.pem" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"name":"desktop","scopes":["vault"]}' https://localhost:28731/admin/keys | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
mkdir -p "$work/desktop"
t0=$(now); ./cervella sync "$work/desktop" --server https://localhost:28731 --key "$key2" --cacert "$work/data/tls/ca.pem" \
  > "$work/pull.log" 2>/dev/null; t1=$(now)
pull=$(secs "$t0" "$t1")
./cervella sync "$work/src" --watch --server https://localhost:28731 --key "$key" --cacert "$work/data/tls/ca.pem" > "$work/watch1.log" 2>&1 &
./cervella sync "$work/desktop" --watch --server https://localhost:28731 --key "$key2" --cacert "$work/data/tls/ca.pem" > "$work/watch2.log" 2>&1 &
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

echo
echo "tree: $files files, $((size / 1048576)) MiB; $(nproc) cores; $(java -version 2>&1 | head -1 || true)"
ratio() { python3 -c "print('n/a' if '$2' == 'n/a' else f'{$1/$2:.1f}x')"; }
printf '| run | rsync daemon | rsync over ssh | cervella sync | vs daemon | vs ssh |\n|---|---|---|---|---|---|\n'
printf '| first sync | %s s | %s s | %s s | %s | %s |\n' "$rsync_first" "$ssh_first" "$first" "$(ratio "$first" "$rsync_first")" "$(ratio "$first" "$ssh_first")"
printf '| second sync, one file changed (a new process) | %s s | %s s | %s s | %s | %s |\n' "$rsync_second" "$ssh_second" "$second" \
  "$(ratio "$second" "$rsync_second")" "$(ratio "$second" "$ssh_second")"
printf 'bytes sent, first: rsync %s; cervella %s\n' "$rsync_bytes1" "$(grep -o 'synced: .*' "$work/sync1.log")"
printf 'bytes sent, second: rsync %s; cervella %s\n' "$rsync_bytes2" "$(grep -o 'synced: .*' "$work/sync2.log")"
echo "cervella sync with nothing changed: $noop s; a new device's first pull: $pull s; vault on disk: $((stored / 1048576)) MiB"
echo "--watch, laptop to desktop, one changed file: ${watch_times[*]} s; folders identical: $identical"
