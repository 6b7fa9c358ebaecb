#!/bin/sh
# setup.sh - install everything repwatch needs to build, run and test, from
# Debian 12 packages. Idempotent: installs only what is missing. Run as root.
# debhelper, dpkg-dev, fakeroot, lintian and systemd (systemd-analyze) build
# and check the Debian package (tests/app/test_deb.sh).
set -eu

PKGS="build-essential cmake pkg-config git
libgmime-3.0-dev libglib2.0-dev libcsv-dev libcurl4-openssl-dev libxml2-dev
libxml2-utils libpq-dev libssl-dev libjson-glib-dev libgsl-dev libcmocka-dev
libmimalloc-dev zlib1g-dev libzstd-dev zstd
postgresql-15 postgresql-client-15 dovecot-imapd python3 curl clang libclang-rt-14-dev util-linux
procps time
python3-yaml prometheus prometheus-node-exporter
debhelper dpkg-dev fakeroot lintian systemd
chromium chromium-driver python3-selenium
postfix"

# Daemons the test suite starts itself, on free ports, from the packages'
# binaries: their own services must neither start on install nor at boot.
OWN_SERVICES="prometheus prometheus-node-exporter postfix"

if [ "$(id -u)" != 0 ]; then
	echo "setup.sh: must run as root (it installs Debian packages)" >&2
	exit 77
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# postfix (tests/mta/test_postfix.sh runs a private instance of it):
	# "No configuration" writes no main.cf, so no system MTA listens on 25
	case " $missing " in *" postfix "*)
		echo "postfix postfix/main_mailer_type select No configuration" |
			debconf-set-selections ;;
	esac
	# No service starts during the install (there may be no systemd as
	# PID 1; an existing policy-rc.d is left as it is).
	rcd=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		rcd=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$rcd"
		chmod 755 "$rcd"
		trap 'rm -f "$rcd"' EXIT
	fi
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
	if [ -n "$rcd" ]; then
		rm -f "$rcd"
		trap - EXIT
	fi
	# the services of OWN_SERVICES installed now stay disabled (works
	# without a running systemd; SysV links too)
	for p in $OWN_SERVICES; do
		case " $missing " in *" $p "*)
			systemctl disable "$p.service" >/dev/null 2>&1 ||
				echo "setup.sh: could not disable $p.service" >&2 ;;
		esac
	done
fi

# The embedded PostgreSQL and the test servers run as this unprivileged
# user when repwatch runs as root (initdb refuses root). The Debian package
# uses this user if it exists and, not having created it, keeps it on purge.
if ! id repwatch >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /var/lib/repwatch \
		--shell /usr/sbin/nologin repwatch
fi
