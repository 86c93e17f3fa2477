#!/bin/sh
# Install every Debian package the build, the VM bench, the collectors and
# the tests need.  Idempotent: packages already present are left alone and
# the apt lists are refreshed at most once an hour.
set -eu

PKGS="
build-essential bc bison flex libelf-dev libssl-dev cpio kmod pkg-config
python3 git
iptables nftables libxtables-dev iproute2 conntrack iputils-ping netcat-openbsd
linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.1
qemu-system-x86 busybox-static xz-utils zstd
nfdump tshark pmacct
cmake g++ libgtest-dev
dkms dh-dkms debhelper lintian man-db
"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

stamp=/var/lib/apt/periodic/ipt-netflow-update
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ]; then
	$SUDO apt-get update -q
	$SUDO mkdir -p "$(dirname "$stamp")"
	$SUDO touch "$stamp"
fi
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
