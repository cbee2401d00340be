# SPDX-License-Identifier: Apache-2.0
# Shared parts of the read benchmarks (lab/bench-status, lab/bench-monitor):
# wrk measurements, the nginx floor serving the same bytes, the variants of
# one read (plain, gzip, br, 304) and the bounds they must meet.
# Sourced; expects $work (a scratch directory) and $DURATION, $CONNECTIONS.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# measure URL [wrk args...]: wrk's "Requests/sec" and its 99% latency in ms;
# any answer but 2xx fails the run, except 304s where If-None-Match is sent
measure() {
    local url=$1 out rps p99
    shift
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
    if grep -q "Non-2xx" <<<"$out" && ! grep -q "If-None-Match" <<<"$*"; then
        echo "non-2xx answers from $url" >&2; echo "$out" >&2; exit 1
    fi
    echo "$rps $p99"
}

# nginx_floor: starts nginx on the files under $work/static (as JSON unless
# named .html/.md/.svg); sets $floor to its port and $floor_pid_file
nginx_floor() {
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx missing: apt-get install nginx-light" >&2; exit 1; }
    mkdir -p "$work/nginx/logs"
    # nginx's workers run unprivileged: they must be able to read the files
    chmod 755 "$work"; chmod -R a+rX "$work/static"
    floor=$(free_port)
    cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 256; }
http {
    access_log off;
    types { text/html html; text/markdown md; image/svg+xml svg; }
    server { listen 127.0.0.1:$floor; root $work/static; default_type application/json; }
}
CONF
    /usr/sbin/nginx -p "$work/nginx" -c nginx.conf
}

nginx_stop() { [ -n "${floor:-}" ] && /usr/sbin/nginx -p "$work/nginx" -c nginx.conf -s stop 2>/dev/null; floor=; }

# variants NAME URL: measures the plain read, gzip, br and a conditional
# request (304) of URL, storing RPS[NAME,variant] and P99[NAME,variant]
variants() {
    local name=$1 url=$2 etag rps p99 v
    etag=$(curl -fsI "$url" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
    for v in plain gzip br 304; do
        case $v in
            plain) read -r rps p99 < <(measure "$url") ;;
            gzip) read -r rps p99 < <(measure "$url" -H "Accept-Encoding: gzip") ;;
            br) read -r rps p99 < <(measure "$url" -H "Accept-Encoding: br") ;;
            304) [ -n "$etag" ] || { echo "no ETag from $url" >&2; exit 1; }
                 read -r rps p99 < <(measure "$url" -H "If-None-Match: $etag") ;;
        esac
        RPS[$name,$v]=$rps P99[$name,$v]=$p99
        printf '%-34s %-6s %10s req/s  p99 %8s ms\n' "$name" "$v" "$rps" "$p99"
    done
}

# bound TEXT CONDITION: prints the bound and whether it holds; a missed
# bound makes the run fail at the end ($missed)
missed=0
bound() {
    if python3 -c "import sys; sys.exit(0 if ($2) else 1)"; then
        echo "ok      $1"
    else
        echo "MISSED  $1"; missed=1
    fi
}
