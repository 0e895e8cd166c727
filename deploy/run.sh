#!/usr/bin/env bash
# Serve Backprop Explorer from several Streamlit replicas behind nginx, with sticky
# sessions. Everything runs in the foreground; Ctrl-C (or SIGTERM) stops all of it.
# A replica that exits is started again on its port (after 1 s, doubling up to 30 s while
# it keeps failing), and meanwhile nginx sends its students to the others; nginx exiting
# stops everything. Before anything starts, the class store is checked
# (python -m explorer.classroom.check): a store that cannot be used stops it there.
#
#   deploy/run.sh                      2 replicas, nginx on http://127.0.0.1:8080
#   deploy/run.sh -n 3 -l 0.0.0.0:80   3 replicas, nginx on every interface, port 80
#
# Several hosts (deploy/README.md, "More than one machine"), e.g. 10.0.0.2 in front:
#   10.0.0.3$ deploy/run.sh -N -a 10.0.0.3 -b 8501 -n 2     replicas only, no nginx
#   10.0.0.2$ deploy/run.sh -n 2 -l 0.0.0.0:80 \
#                 -u 10.0.0.3:8501 -u 10.0.0.3:8502            nginx for both hosts
#
# Options:
#   -n N        number of Streamlit replicas (default 2; one per core is a good start)
#   -l ADDR     nginx's listen address, host:port or port (default 127.0.0.1:8080)
#   -a ADDR     the address the replicas listen on, and nginx and the health checks reach
#               them at (default 127.0.0.1); on a host of several, its private address
#   -b PORT     first replica port; replicas use PORT, PORT+1, ... on the -a address
#               (default: free ports picked at start)
#   -u HOST:PORT  one more upstream for nginx: a replica of another host (repeat for each)
#   -N          replicas only, no nginx: a host behind another host's nginx (-u there).
#               Runs until stopped, restarting replicas as above
#   -d DIR      state directory for the nginx config, pid and log files
#               (default: a new temporary directory, removed at exit unless -k)
#   -k          keep the state directory at exit
#   -e ORIGIN   let pages of ORIGIN (e.g. https://moodle.example.edu) show the app in an
#               iframe, uploads included; repeat for several (deploy/README.md, "Inside a
#               course page"). Needs HTTPS in front. Without -e only the app's own pages
#               may frame it. With several hosts, give the same -e to every host.
#
# Needs nginx (Debian: apt-get install -y nginx; not with -N) and the app's Python
# environment: $PYTHON, else .venv/bin/python if `make run` or `make test` made it, else
# python3. The environment is passed on to every replica (BACKPROP_DATABASE_URL,
# BACKPROP_DATABASE_POOL, BACKPROP_CLASS_DB, BACKPROP_TEACHER_PASSWORD).
# Nothing outside the state directory is written; the system's nginx is not touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPLICAS=2
LISTEN=127.0.0.1:8080
LISTEN_SET=0
ADDR=127.0.0.1
UPSTREAM_ARGS=()
NO_NGINX=0
BASE_PORT=
STATE=
KEEP=0
EMBED_ORIGINS=()
START_TIMEOUT=60   # seconds for a replica to answer /_stcore/health
BACKOFF_FIRST=1    # seconds before a replica that exited is started again ...
BACKOFF_MAX=30     # ... doubling while it keeps exiting, up to this;
STEADY=60          # back to BACKOFF_FIRST once it has run this long

usage() {   # the comment block at the top
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"
}
while getopts "n:l:a:b:u:Nd:ke:h" opt; do
    case $opt in
        n) REPLICAS=$OPTARG ;;
        l) LISTEN=$OPTARG; LISTEN_SET=1 ;;
        a) # an address goes into nginx's configuration and the replicas' command lines
           [[ $OPTARG =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ && $OPTARG != 0.0.0.0 ]] \
               || { echo "error: -a wants the address other hosts reach the replicas at" \
                         "(e.g. 10.0.0.2), got '$OPTARG'" >&2; exit 2; }
           ADDR=$OPTARG ;;
        b) BASE_PORT=$OPTARG ;;
        u) [[ $OPTARG =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[0-9]{1,5}$ ]] \
               || { echo "error: -u wants HOST:PORT (e.g. 10.0.0.3:8501), got '$OPTARG'" >&2
                    exit 2; }
           UPSTREAM_ARGS+=("$OPTARG") ;;
        N) NO_NGINX=1 ;;
        d) STATE=$OPTARG ;;
        k) KEEP=1 ;;
        e) # an origin goes into nginx's configuration: nothing but scheme, host and port
           [[ $OPTARG =~ ^https?://(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$ ]] \
               || { echo "error: -e wants an origin such as https://moodle.example.edu, got '$OPTARG'" >&2; exit 2; }
           EMBED_ORIGINS+=("$OPTARG") ;;
        h) usage 0 ;;
        *) usage 2 ;;
    esac
done
[[ $REPLICAS =~ ^[1-9][0-9]*$ ]] || { echo "error: -n wants a positive number" >&2; exit 2; }
[[ -z $BASE_PORT || $BASE_PORT =~ ^[1-9][0-9]*$ ]] \
    || { echo "error: -b wants a port number" >&2; exit 2; }
if ((NO_NGINX)) && ((LISTEN_SET || ${#UPSTREAM_ARGS[@]})); then
    echo "error: -N runs no nginx: -l and -u belong to the host that runs it" >&2; exit 2
fi

if ! ((NO_NGINX)); then
    NGINX=$(command -v nginx || true)
    [[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
    [[ -n $NGINX ]] || { echo "error: nginx not found (Debian/Ubuntu: apt-get install -y nginx)" >&2; exit 1; }
fi
if [[ -n ${PYTHON:-} ]]; then PY=$PYTHON
elif [[ -x $ROOT/.venv/bin/python ]]; then PY=$ROOT/.venv/bin/python
else PY=python3; fi
"$PY" -c "import streamlit" 2>/dev/null \
    || { echo "error: $PY cannot import streamlit (pip install -r requirements.txt)" >&2; exit 1; }

# The class store (SQLite, or PostgreSQL with BACKPROP_DATABASE_URL): reachable, the
# password right, the schema made or migrated, and not newer than this code. It runs
# before anything is started or written, so a bad configuration starts nothing. What it
# prints names no password; any user:password@ in a URL is masked here all the same.
mask() { sed -E 's#(postgres(ql)?://[^/:@[:space:]]*):[^@[:space:]]*@#\1:***@#g'; }
check_out=$(cd "$ROOT" && "$PY" -m explorer.classroom.check 2>&1) && check_status=0 || check_status=$?
if ((check_status)); then
    printf '%s\n' "$check_out" | mask >&2
    echo "error: the class store cannot be used (above); nothing was started" >&2
    exit "$check_status"
fi
printf '%s\n' "$check_out" | mask

if [[ -z $STATE ]]; then
    STATE=$(mktemp -d -t backprop-deploy.XXXXXX)
else
    mkdir -p "$STATE"; KEEP=1
fi
STATE=$(cd "$STATE" && pwd)
chmod 755 "$STATE"            # nginx's workers run as an unprivileged user under root
echo $$ > "$STATE/run.pid"

# What is running: by replica index 0..N-1 its pid (empty while it waits to be started
# again), and nginx's master, which leads a process group of its own: its workers outlive
# a master that was killed, and are stopped with it as a group.
REPLICA_PIDS=()
NGINX_PID=
stopping=0
exec 3>&2       # fd 3: stderr for our own lines, once the main loop silences fd 2
stop_all() {
    ((stopping)) && return; stopping=1
    trap - INT TERM
    exec 2>&3
    local pids=() pid alive
    for pid in "${REPLICA_PIDS[@]}"; do [[ -n $pid ]] && pids+=("$pid"); done
    if ((NO_NGINX)); then echo "stopping the replicas ..." >&2
    else echo "stopping nginx and the replicas ..." >&2; fi
    [[ -n $NGINX_PID ]] && pids+=("-$NGINX_PID")        # the group: master and workers
    for pid in "${pids[@]}"; do kill -TERM -- "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 -- "$pid" 2>/dev/null && alive=1; done
        ((alive)) || break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do kill -KILL -- "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if ((KEEP)); then echo "logs kept in $STATE" >&2; else rm -rf "$STATE"; fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() {   # N free ports on an address
    "$PY" - "$1" "$2" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind((sys.argv[2], 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}
if [[ -n $BASE_PORT ]]; then
    PORTS=$(seq "$BASE_PORT" $((BASE_PORT + REPLICAS - 1)) | tr '\n' ' ')
else
    PORTS=$(free_ports "$REPLICAS" "$ADDR")
fi

health() { "$PY" -c "import sys, urllib.request as u; sys.exit(u.urlopen(sys.argv[1], timeout=2).read().strip() != b'ok')" "$1" 2>/dev/null; }

# Framing. Without -e only the app's own pages may frame it. With -e, the LMS origins may
# too, and the cookies (Streamlit's XSRF cookie, which uploads need, and the replica cookie)
# must reach the app inside their iframe: there they are third-party cookies, which
# browsers send only when SameSite=None and Secure, and, where third-party cookies are
# blocked (Chrome's and Safari's rules), only when also Partitioned (CHIPS).
REPLICA_ARGS=()
FRAME_ANCESTORS="'self'"
STICKY_ATTRS="SameSite=Lax"
COOKIE_PATH="/"
if ((${#EMBED_ORIGINS[@]})); then
    REPLICA_ARGS=(--server.xsrfCookieSameSite none)
    FRAME_ANCESTORS+=" ${EMBED_ORIGINS[*]}"
    STICKY_ATTRS="SameSite=None; Secure; Partitioned"
    COOKIE_PATH="/; Partitioned"
fi

read -r -a PORT_OF <<<"$PORTS"
STARTED=()    # by replica index: $SECONDS when it was last started
DELAY=()      # by replica index: the back-off before its next start
RESTART_AT=() # by replica index: when to start it again (ms since the epoch), or empty
start_replica() {   # index: Streamlit on its port; its log appended to, its pid in a file
    local i=$1
    "$PY" -m streamlit run app.py --server.port "${PORT_OF[i]}" --server.address "$ADDR" \
        --server.headless true --browser.gatherUsageStats false "${REPLICA_ARGS[@]}" \
        >>"$STATE/replica-$((i + 1)).log" 2>&1 &
    REPLICA_PIDS[i]=$!
    STARTED[i]=$SECONDS
    echo "$!" >"$STATE/replica-$((i + 1)).pid"
}

cd "$ROOT"
for i in "${!PORT_OF[@]}"; do
    : >"$STATE/replica-$((i + 1)).log"
    RESTART_AT[i]=
    DELAY[i]=$BACKOFF_FIRST
    start_replica "$i"
done
deadline=$((SECONDS + START_TIMEOUT))
i=0
for port in $PORTS; do
    pid=${REPLICA_PIDS[$i]}; i=$((i + 1))
    until health "http://$ADDR:$port/_stcore/health"; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
            echo "error: replica $i (port $port) did not start; its log:" >&2
            tail -n 30 "$STATE/replica-$i.log" >&2
            exit 1
        fi
        sleep 0.3
    done
    # Another server may hold the port and answer the health check.
    kill -0 "$pid" 2>/dev/null || { echo "error: port $port is taken" >&2; exit 1; }
done

if ((NO_NGINX)); then
    echo "Backprop Explorer replicas on $ADDR ports: ${PORTS% } (no nginx here)"
    ups=$(printf -- "-u $ADDR:%s " $PORTS)
    echo "for the host that runs nginx: run.sh ... ${ups% }"
    echo "state and logs: $STATE (process tree root: pid $$); Ctrl-C stops everything"
fi

# nginx's upstreams: this host's replicas, then those of other hosts (-u). The hash ring
# is built from their addresses, so a browser's cookie picks the same replica whichever
# host it is on. Another host's replica that is not up yet is only warned about: nginx
# leaves it out while it fails, and takes it in once it answers.
UPSTREAMS=""
for port in $PORTS; do
    UPSTREAMS+="        server $ADDR:$port max_fails=3 fail_timeout=10s;"$'\n'
done
for up in "${UPSTREAM_ARGS[@]}"; do
    UPSTREAMS+="        server $up max_fails=3 fail_timeout=10s;"$'\n'
    health "http://$up/_stcore/health" \
        || echo "warning: the upstream $up does not answer /_stcore/health (yet)" >&2
done
((NO_NGINX)) || sed -e "s|@STATE@|$STATE|g" -e "s|@LISTEN@|$LISTEN|g" \
    -e "s|@FRAME_ANCESTORS@|$FRAME_ANCESTORS|g" -e "s|@STICKY_ATTRS@|$STICKY_ATTRS|g" \
    -e "s|@COOKIE_PATH@|$COOKIE_PATH|g" \
    "$ROOT/deploy/nginx.conf.template" \
    | awk -v ups="${UPSTREAMS%$'\n'}" '{ if ($0 == "@UPSTREAMS@") print ups; else print }' \
    >"$STATE/nginx.conf"
if ! ((NO_NGINX)); then
    "$NGINX" -t -q -p "$STATE" -c "$STATE/nginx.conf" -e "$STATE/error.log"
    # setsid: nginx's master leads its own process group (a child of this non-interactive
    # shell is no group leader, so setsid runs it without forking: $! is the master).
    setsid "$NGINX" -p "$STATE" -c "$STATE/nginx.conf" -e "$STATE/error.log" &
    NGINX_PID=$!

    url_host=${LISTEN%:*}; [[ $LISTEN == *:* ]] || url_host=127.0.0.1
    [[ $url_host == 0.0.0.0 || $url_host == "*" ]] && url_host=127.0.0.1
    url="http://$url_host:${LISTEN##*:}"
    until health "$url/_stcore/health"; do
        kill -0 "$NGINX_PID" 2>/dev/null || { echo "error: nginx exited:" >&2; cat "$STATE/error.log" >&2; exit 1; }
        sleep 0.2
    done

    others=""
    ((${#UPSTREAM_ARGS[@]})) && others=", and ${#UPSTREAM_ARGS[@]} of other hosts: ${UPSTREAM_ARGS[*]}"
    echo "Backprop Explorer on $url ($REPLICAS replicas on $ADDR ports: ${PORTS% }$others)"
    ((${#EMBED_ORIGINS[@]})) && echo "may be framed by: ${EMBED_ORIGINS[*]} (serve it over HTTPS)"
    echo "state and logs: $STATE (process tree root: pid $$); Ctrl-C stops everything"
fi

# Run until nginx exits (if this host runs it) or we are told to stop. A replica that exits is started again on
# its port after its back-off; meanwhile nginx sends its students to the others
# (proxy_next_upstream), and their pages reconnect there by themselves. Every half second
# each process is looked at (kill -0): `wait -n` alone misses a child that bash reaped
# and reported on its own, between two waits. Bash's reports ("... Killed  "$PY" -m
# streamlit ...") go nowhere; our lines go to fd 3, the script's stderr.
set +e
exec 2>/dev/null
while :; do
    sleep 0.5 &
    wait $!                     # (not a bare sleep: INT and TERM end this wait at once)
    if [[ -n $NGINX_PID ]] && ! kill -0 "$NGINX_PID"; then
        wait "$NGINX_PID"
        echo "error: nginx exited (status $?); stopping. Its log:" >&3
        tail -n 20 "$STATE/error.log" >&3
        exit 1
    fi
    now=${EPOCHREALTIME//[^0-9]/}; now=$((now / 1000))
    for i in "${!PORT_OF[@]}"; do
        pid=${REPLICA_PIDS[i]}
        if [[ -n $pid ]] && ! kill -0 "$pid"; then
            wait "$pid"
            status=$?
            REPLICA_PIDS[i]=
            ((SECONDS - STARTED[i] >= STEADY)) && DELAY[i]=$BACKOFF_FIRST
            echo "replica $((i + 1)) (port ${PORT_OF[i]}) exited with status $status;" \
                 "restarting in ${DELAY[i]}s" >&3
            RESTART_AT[i]=$((now + DELAY[i] * 1000))
            DELAY[i]=$((DELAY[i] * 2 > BACKOFF_MAX ? BACKOFF_MAX : DELAY[i] * 2))
        elif [[ -z $pid ]] && ((now >= RESTART_AT[i])); then
            RESTART_AT[i]=
            start_replica "$i"
            echo "replica $((i + 1)) (port ${PORT_OF[i]}) started again (pid ${REPLICA_PIDS[i]})" >&3
        fi
    done
done
