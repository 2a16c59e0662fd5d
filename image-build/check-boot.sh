#!/usr/bin/env bash
# Checks the boot partition's files of a built root filesystem, since no QEMU boot path runs the
# GPU firmware that reads them:
#   - every kernel=/initramfs file config.txt names exists;
#   - cmdline.txt mounts root by label (root=LABEL=RASPIROOT);
#   - cmdline.txt has no cma=: on a Pi 4 / 400 a command-line CMA area replaces the device tree's,
#     which bcm2711.dtsi keeps in the lower 1 GiB some devices are limited to ("might render your
#     system unbootable", raspi-firmware's /etc/default/raspi-firmware); without it every board gets
#     the device tree's 64 MiB pool (bcm283x.dtsi linux,cma). build.sh sets CMA=0 for that.
#
#   image-build/check-boot.sh BOOT_DIR        (ROOTFS/boot/firmware)
set -euo pipefail

BOOT="${1:?usage: check-boot.sh BOOT_DIR}"
fail() { echo "check-boot.sh: $*" >&2; exit 1; }

for file in $(sed -n 's/^\(kernel\|initramfs\)[= ]\([^ ]*\).*/\2/p' "$BOOT/config.txt"); do
  [ -f "$BOOT/$file" ] || fail "config.txt names $file, which is not in $BOOT"
done
cmdline="$(cat "$BOOT/cmdline.txt")"
grep -q 'root=LABEL=RASPIROOT' <<<"$cmdline" || fail "cmdline.txt does not say root=LABEL=RASPIROOT: $cmdline"
if grep -qE '(^| )cma=' <<<"$cmdline"; then fail "cmdline.txt sets a CMA size, which can keep a Pi 4 from booting: $cmdline"; fi
echo "check-boot.sh: $BOOT: config.txt files present; cmdline.txt: $cmdline"
