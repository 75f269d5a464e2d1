# Shared by run.sh, test.sh and bench/rss.sh (sourced, not run): the Debian
# packages Gazette needs, installed only when missing, and small helpers.
# shellcheck shell=bash disable=SC2034

# What building and serving needs. One list, so run.sh and test.sh never
# disagree about what a fresh Debian 12 machine must get.
GAZETTE_PACKAGES=(
	build-essential cmake pkg-config
	libsqlite3-dev libfcgi-dev libcjson-dev libsodium-dev
	libcmark-gfm-dev libcmark-gfm-extensions-dev libmagic-dev libinih-dev libseccomp-dev
	nettle-dev libqrencode-dev libxxhash-dev
	tzdata nginx sqlite3 python3 curl procps
)
# What only the tests and the benchmark add: ab (bench/rss.sh), the feed and
# HTML parsers of site_test.py, headless Chromium for browser_test.py, Apache
# with mod_fcgid and systemd-analyze for deploy_test.py, clang and its
# libFuzzer runtime for fuzz/run.sh.
GAZETTE_TEST_PACKAGES=(
	apache2-utils python3-feedparser python3-html5lib
	python3-selenium chromium chromium-driver fonts-wqy-microhei
	openapi-specification python3-jsonschema
	apache2 libapache2-mod-fcgid systemd
	clang libclang-rt-14-dev
)

gz_say() { printf '%s\n' "$*" >&2; }
gz_die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# gz_ensure_packages PKG...: installs the packages that dpkg does not list as
# installed. A machine that has them all pays a few dpkg-query calls and no
# network; `apt-get update` runs once, and only when something is missing.
gz_ensure_packages() {
	local missing=() p
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
			missing+=("$p")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || gz_die "missing packages (${missing[*]}); run as root or install them"
		sudo=(sudo)
	fi
	gz_say "Installing ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}


# gz_free_port: a TCP port free on loopback right now.
gz_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# gz_wait_serving OUT PID TENTHS: waits until run.sh (PID, its output in OUT)
# says it serves; dies, showing OUT, if it stops first or TENTHS tenths of a
# second pass.
gz_wait_serving() {
	local out=$1 pid=$2 tenths=$3 _
	for _ in $(seq "$tenths"); do
		grep -q '^Gazette is serving' "$out" && return 0
		kill -0 "$pid" 2>/dev/null || {
			cat "$out" >&2
			gz_die "run.sh stopped before serving"
		}
		sleep 0.1
	done
	gz_die "run.sh did not start in $((tenths / 10)) s"
}
