#!/bin/sh
# units.sh SRC DEST - the package's systemd units from the ones in SRC
# (cron/): repwatch-nightly.{service,timer} become repwatch.{service,timer},
# the binary /usr/bin/repwatch, and their install comment the package's.
set -eu
src=$1
dest=$2
for u in service timer; do
	{
		echo "# repwatch.$u - installed by the Debian package from"
		echo "# cron/repwatch-nightly.$u; override with systemctl edit repwatch.$u."
		sed -e '1,/^\[Unit\]$/{/^#/d}' \
			-e 's,/usr/local/bin/repwatch,/usr/bin/repwatch,g' \
			-e 's,repwatch-nightly\.,repwatch.,g' "$src/repwatch-nightly.$u"
	} >"$dest/repwatch.$u"
done
