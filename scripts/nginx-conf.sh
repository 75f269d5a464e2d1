#!/usr/bin/env bash
# Renders conf/nginx.conf.in into a working nginx.conf. Used by run.sh and by
# the integration tests, so the config the tests exercise is the one users run.
#
#   scripts/nginx-conf.sh OUT PORT DATA SOCKET [STATIC]
#
# PORT: the loopback port nginx listens on; DATA: the data directory (media/,
# log/, run/, nginx/ temp dirs live under it); SOCKET: the FastCGI pool's unix
# socket; STATIC: the static/ directory (default: the repository's).
set -euo pipefail

[ $# -ge 4 ] && [ $# -le 5 ] || {
	echo "usage: ${0##*/} OUT PORT DATA SOCKET [STATIC]" >&2
	exit 2
}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
out=$1 port=$2 data=$3 socket=$4 static=${5:-$root/static}

case $port in '' | *[!0-9]*) echo "${0##*/}: bad port: $port" >&2; exit 2 ;; esac
for p in "$data" "$socket" "$static"; do
	case $p in
	/*) ;;
	*) echo "${0##*/}: not an absolute path: $p" >&2; exit 2 ;;
	esac
	# The values land inside sed's replacement and nginx's syntax unquoted.
	case $p in *[[:space:]\;\'\"\{\}\|\&\\]*)
		echo "${0##*/}: unsupported character in path: $p" >&2
		exit 2
		;;
	esac
done

# nginx started as root hands requests to workers that run as `user` (nobody
# by default). Those workers must read static/ and media/ (often under a 0700
# home such as /root) and connect to the pool's socket: run them as the
# caller, who owns all of it. Started as another user, nginx cannot switch
# users and the directive would only earn a warning.
if [ "$(id -u)" -eq 0 ]; then
	user="user $(id -un) $(id -gn);"
else
	user="# not started as root: the workers keep the caller's identity"
fi

mkdir -p "$data/media" "$data/log" "$data/run" "$data/nginx"
sed -e "s|@USER@|$user|g" \
	-e "s|@PORT@|$port|g" \
	-e "s|@DATA@|$data|g" \
	-e "s|@SOCKET@|$socket|g" \
	-e "s|@STATIC@|$static|g" \
	"$root/conf/nginx.conf.in" >"$out.tmp"
if grep -n '@[A-Z_]*@' "$out.tmp" >&2; then
	echo "${0##*/}: placeholders left unrendered in $out" >&2
	exit 1
fi
mv "$out.tmp" "$out"
