#!/usr/bin/env bash
# The edge's reverse proxy against nginx (docs/benchmarks.md): both over TLS, in front of the same
# upstream (a plain-HTTP nginx serving a small response and a 1 MB file), loaded by the same wrk.
# Usage: scripts/bench-edge.sh   (DURATION=20 seconds a run, CONNS=50, THREADS=2, REPS=3, WARMUP=30 seconds
# a shape and proxy before the measured runs; CERVELLA_JAVA_OPTS passes JVM flags to cervella)
# Needs nginx, wrk, openssl, curl, python3 (apt-get install nginx wrk openssl curl python3).
# Both proxies keep their access logs on and reuse upstream connections (nginx: keepalive 64);
# cervella's per-address rate limit is turned off for the run (nginx has none by default).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration=${DURATION:-20}
conns=${CONNS:-50}
threads=${THREADS:-2}
reps=${REPS:-3}
work=$(mktemp -d /tmp/bench-edge.XXXXXX)
cleanup() {
  [ -f "$work/cervella.pid" ] && kill "$(cat "$work/cervella.pid")" 2>/dev/null || true
  for conf in upstream proxy; do [ -f "$work/$conf.pid" ] && kill "$(cat "$work/$conf.pid")" 2>/dev/null || true; done
  sleep 1; rm -rf "$work"
}
trap cleanup EXIT

echo "building..." >&2
./cervella --version >/dev/null 2>&1
mkdir -p "$work/www" "$work/logs"
chmod 755 "$work" "$work/www"  # nginx workers run as another user
head -c 100 /dev/zero | tr '\0' 'x' > "$work/www/small"
head -c 1048576 /dev/urandom > "$work/www/1mb"

# the upstream both proxies send to
cat > "$work/upstream.conf" <<CONF
worker_processes 1;
pid $work/upstream.pid;
error_log $work/logs/upstream-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:28800; root $work/www; keepalive_requests 100000; }
}
CONF
nginx -c "$work/upstream.conf"

# cervella: the platform with one app, over TLS with its local CA's certificate
data="$work/cervella-data"
mkdir -p "$data"
cat > "$data/cervella.yaml" <<CONF
edge:
  rate_limits: {per_ip: {requests_per_second: 0}}
  apps:
    - name: bench
      auth: none
      prefix: /
      hosts: [localhost]
      health_check: {path: /small}
      upstreams: [{url: "http://127.0.0.1:28800"}]
CONF
export CERVELLA_VAULT_PASSPHRASE=bench-passphrase
./cervella serve --data "$data" --port 28443 --bind 127.0.0.1 > "$work/cervella.log" 2>&1 &
echo $! > "$work/cervella.pid"
for _ in $(seq 1 120); do grep -q "cervella ready" "$work/cervella.log" 2>/dev/null && break; sleep 0.5; done

# nginx as the same reverse proxy, with the same certificate and key
cat > "$work/proxy.conf" <<CONF
worker_processes auto;
pid $work/proxy.pid;
error_log $work/logs/proxy-error.log;
events { worker_connections 4096; }
http {
  access_log $work/logs/proxy-access.log;
  upstream app { server 127.0.0.1:28800; keepalive 64; }
  server {
    listen 127.0.0.1:28444 ssl;
    ssl_certificate $data/tls/server.pem;
    ssl_certificate_key $data/tls/server-key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
CONF
nginx -c "$work/proxy.conf"
sleep 1
curl -sf --cacert "$data/tls/ca.pem" https://localhost:28443/small > /dev/null || { echo "cervella does not proxy:"; curl -s --cacert "$data/tls/ca.pem" https://localhost:28443/small; tail -3 "$work/cervella.log"; exit 1; }
curl -sf --cacert "$data/tls/ca.pem" https://localhost:28444/small > /dev/null || { echo "nginx does not proxy"; exit 1; }

# one wrk run: prints "requests_per_second p50_ms p99_ms"
run() {  # $1 = url
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "$1" > "$work/wrk.out" 2>&1
  python3 - "$work/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v, unit): return float(v) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', t).group(1))
p50 = re.search(r'50%\s+([\d.]+)(us|ms|s)', t); p99 = re.search(r'99%\s+([\d.]+)(us|ms|s)', t)
errors = re.search(r'Non-2xx or 3xx responses: (\d+)', t); sock = re.search(r'Socket errors: (.*)', t)
print(f"{rps:.0f} {ms(*p50.groups()):.2f} {ms(*p99.groups()):.2f} {errors.group(1) if errors else 0} {'|'.join(sock.group(1).split()) if sock else '-'}")
PY
}

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
# warm both: the JVM compiles its hot paths over the first tens of seconds of load (a long-running
# server's steady state is what is compared); nginx has nothing to warm but gets the same runs
DURATION_SAVED=$duration; duration=${WARMUP:-30}
for port in 28443 28444; do run https://localhost:$port/small > /dev/null; run https://localhost:$port/1mb > /dev/null; done
duration=$DURATION_SAVED

declare -A rps p50 p99 ratio p99ratio
for r in $(seq 1 "$reps"); do
  for shape in small 1mb; do
    # the two run back to back, first one then the other in turn, so that drift in the machine's
    # speed (a shared machine's neighbours) falls on both; each pair gives a ratio
    order="nginx cervella"; [ $((r % 2)) -eq 0 ] && order="cervella nginx"
    for tool in $order; do
      port=$([ $tool = nginx ] && echo 28444 || echo 28443)
      read -r q a b errs sockerr < <(run "https://localhost:$port/$shape")
      echo "rep $r $shape $tool: $q req/s, p50 $a ms, p99 $b ms, non-2xx $errs, socket errors $sockerr" >&2
      rps[$shape-$tool]+="$q "; p50[$shape-$tool]+="$a "; p99[$shape-$tool]+="$b "
      eval "last_q_$tool=$q last_p99_$tool=$b"
    done
    ratio[$shape]+="$(python3 -c "print($last_q_cervella / $last_q_nginx)") "
    p99ratio[$shape]+="$(python3 -c "print($last_p99_cervella / $last_p99_nginx)") "
  done
done
echo
echo "wrk -t$threads -c$conns -d${duration}s over TLS, median of $reps runs; $(nproc) cores shared by wrk, proxy and upstream"
printf '| response | nginx req/s | cervella req/s | ratio | nginx p50 / p99 ms | cervella p50 / p99 ms | p99 ratio | paired ratio | paired p99 ratio |\n|---|---|---|---|---|---|---|---|---|\n'
for shape in small 1mb; do
  nq=$(median ${rps[$shape-nginx]}); cq=$(median ${rps[$shape-cervella]})
  n50=$(median ${p50[$shape-nginx]}); c50=$(median ${p50[$shape-cervella]})
  n99=$(median ${p99[$shape-nginx]}); c99=$(median ${p99[$shape-cervella]})
  printf '| %s | %s | %s | %s | %s / %s | %s / %s | %s | %s | %s |\n' "$shape" "$nq" "$cq" \
    "$(python3 -c "print(f'{$cq/$nq:.2f}')")" "$n50" "$n99" "$c50" "$c99" "$(python3 -c "print(f'{$c99/$n99:.2f}')")" \
    "$(median ${ratio[$shape]})" "$(median ${p99ratio[$shape]})"
done
