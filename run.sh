#!/usr/bin/env bash
# Gazette in one command: install what is missing, build, migrate, load the
# demo content once, then serve http://127.0.0.1:${GAZETTE_PORT:-8080}/ with
# nginx in front of the FastCGI worker pool, in the foreground, until Ctrl-C
# or SIGTERM stops everything it started.
#
# Environment: GAZETTE_PORT (8080), GAZETTE_DATA (./var: database, uploads,
# sockets, logs), GAZETTE_WORKERS (2), GAZETTE_BUILD_DIR (./build),
# GAZETTE_SKIP_BUILD (1: use the binaries already built there, as the tests do).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=scripts/common.sh
. "$root/scripts/common.sh"

port=${GAZETTE_PORT:-8080}
workers=${GAZETTE_WORKERS:-2}
case $port in '' | *[!0-9]*) gz_die "GAZETTE_PORT must be a port number, not '$port'" ;; esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || gz_die "GAZETTE_PORT out of range: $port"
case $workers in '' | *[!0-9]*) gz_die "GAZETTE_WORKERS must be a number, not '$workers'" ;; esac
[ "$workers" -ge 1 ] && [ "$workers" -le 64 ] || gz_die "GAZETTE_WORKERS must be 1..64"

# Relative paths are the caller's, as with any command.
data=${GAZETTE_DATA:-$root/var}
build=${GAZETTE_BUILD_DIR:-$root/build}
mkdir -p "$data" "$build"
data=$(cd "$data" && pwd -P)
build=$(cd "$build" && pwd -P)
cd "$root"

# The programs read these too (gazette.fcgi: GAZETTE_<SETTING>): hand them
# the absolute paths, whatever the caller wrote.
export GAZETTE_DATA=$data GAZETTE_DB=$data/gazette.db
socket=$data/run/gazette.sock
# sun_path holds 108 bytes; fail here rather than with a bind error later.
[ ${#socket} -lt 100 ] || gz_die "GAZETTE_DATA is too deep for a unix socket path: $socket"
mkdir -p "$data/media" "$data/run" "$data/log"
# The pool makes its socket connectable by anyone (0666); a private run/
# keeps other local users from talking FastCGI to it (and, say, forging
# REMOTE_ADDR). nginx's workers run as this user, so they still get in.
chmod 700 "$data/run"

# One run.sh per data directory: a second one would fight over the socket,
# the port and the pid files. The children do not inherit the lock (9>&-).
exec 9>"$data/run/run.lock"
flock -n 9 || gz_die "another run.sh is already serving $data"

gz_ensure_packages "${GAZETTE_PACKAGES[@]}"

gazette=$build/gazette
fcgi=$build/gazette.fcgi
if [ "${GAZETTE_SKIP_BUILD:-0}" = 1 ]; then
	[ -x "$gazette" ] && [ -x "$fcgi" ] || gz_die "GAZETTE_SKIP_BUILD=1 but $build has no binaries"
else
	gz_say "Building in $build (log: $data/log/build.log)"
	if ! { cmake -S "$root" -B "$build" && cmake --build "$build" -j "$(nproc)"; } \
		>"$data/log/build.log" 2>&1; then
		tail -n 40 "$data/log/build.log" >&2
		gz_die "the build failed; the whole log is $data/log/build.log"
	fi
fi

"$gazette" migrate

# Demo content goes into a new site only: `gazette demo` does nothing on a
# database that has articles, and the marker keeps a site whose owner deleted
# them all from getting the demo back on the next run.
if [ ! -e "$data/demo-loaded" ]; then
	"$gazette" demo
	: >"$data/demo-loaded"
fi

# The demo login: created once with a random password, which is kept (0600)
# so that every later run can print it again.
login_file=$data/demo-login.txt
if [ ! -s "$login_file" ]; then
	password=$(head -c 15 /dev/urandom | base64 | tr '+/' '-_')
	if printf '%s\n' "$password" |
		"$gazette" user add editor --role admin --password-stdin >/dev/null; then
		(umask 077 && printf 'username: editor\npassword: %s\n' "$password" >"$login_file")
	else
		gz_say "Could not create the demo user 'editor'; if it exists, set its password with"
		gz_say "  GAZETTE_DB=$GAZETTE_DB $gazette user passwd editor"
	fi
fi
login_user=editor login_password='(unknown)'
if [ -s "$login_file" ]; then
	login_password=$(sed -n 's/^password: //p' "$login_file")
fi

"$root/scripts/nginx-conf.sh" "$data/nginx.conf" "$port" "$data" "$socket"

pool_pid='' nginx_pid=''

# alive PID: the process exists and is not a zombie waiting for us.
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# Stops what this script started: SIGTERM (the pool stops its workers, nginx
# its own), up to 10 s of grace, then SIGKILL for the process and its children.
# shellcheck disable=SC2317 # run by the EXIT trap
stop_all() {
	local pid deadline
	for pid in $nginx_pid $pool_pid; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	deadline=$((SECONDS + 10))
	for pid in $nginx_pid $pool_pid; do
		while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.1
		done
		if alive "$pid"; then
			gz_say "process $pid did not stop in time: killing it"
			pkill -KILL -P "$pid" 2>/dev/null || true
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	nginx_pid='' pool_pid=''
	rm -f "$socket" "$data/run/gazette.pid"
}
trap stop_all EXIT
trap 'gz_say "Stopping."; exit 0' INT TERM HUP

# Under the lock, a socket file left here belongs to a run that died.
rm -f "$socket"
url=http://127.0.0.1:$port/
"$fcgi" --listen "unix:$socket" --workers "$workers" --data "$data" --db "$GAZETTE_DB" \
	--templates "${GAZETTE_TEMPLATES:-$root/templates}" --base-url "${url%/}" \
	2>>"$data/log/gazette.log" 9>&- &
pool_pid=$!
echo "$pool_pid" >"$data/run/gazette.pid"

nginx -p "$data/nginx" -c "$data/nginx.conf" -e "$data/log/nginx-error.log" \
	-g 'daemon off;' 9>&- &
nginx_pid=$!

ready=0
for _ in $(seq 150); do
	alive "$pool_pid" || {
		tail -n 20 "$data/log/gazette.log" >&2
		gz_die "the worker pool did not start (log: $data/log/gazette.log)"
	}
	alive "$nginx_pid" || {
		tail -n 20 "$data/log/nginx-error.log" >&2
		gz_die "nginx did not start (log: $data/log/nginx-error.log)"
	}
	if curl -fsS -o /dev/null --max-time 2 "${url}healthz" 2>/dev/null; then
		ready=1
		break
	fi
	sleep 0.1
done
[ $ready = 1 ] || gz_die "the site did not answer ${url}healthz within 15 s (logs: $data/log/)"

cat <<EOF
Gazette is serving $url
  Editor login: ${url}editor/login  user: $login_user  password: $login_password
  Data: $data (database gazette.db, uploads media/, logs log/)
  Press Ctrl-C to stop.
EOF

# Serve until a signal (trap above) or until one of the two exits. Ctrl-C in
# a terminal reaches the whole process group: nginx and the pool stop on it
# by themselves (exit 0), and bash then skips our INT trap because the child
# it waited for handled the signal. So an exit 0 is a requested stop too.
status=0
wait -n "$pool_pid" "$nginx_pid" || status=$?
if [ "$status" -eq 0 ]; then
	gz_say "Stopping."
	exit 0
fi
if ! alive "$pool_pid"; then
	gz_say "The worker pool exited (status $status); see $data/log/gazette.log"
else
	gz_say "nginx exited (status $status); see $data/log/nginx-error.log"
fi
exit 1
