#!/usr/bin/env bash
# Assembles an SD card image from a root filesystem directory, without loop devices, mounts or
# privileges: a FAT32 boot partition (label RASPIFIRM) filled with mtools from ROOTFS/boot/firmware,
# an ext4 root partition (label RASPIROOT) made with mkfs.ext4 -d from the rest, both written into
# one MBR-partitioned image with sfdisk and dd. The root partition grows to the card at first boot.
#
#   image-build/mkimg.sh ROOTFS OUTPUT.img [SIZE_MIB]    (SIZE_MIB: whole image, default 2048)
set -euo pipefail

ROOTFS="${1:?usage: mkimg.sh ROOTFS OUTPUT.img [SIZE_MIB]}"
OUTPUT="${2:?usage: mkimg.sh ROOTFS OUTPUT.img [SIZE_MIB]}"
SIZE_MIB="${3:-2048}"
BOOT_START_MIB=4      # 8192 sectors: aligned for SD cards' erase blocks
BOOT_MIB=256
ROOT_START_MIB=$((BOOT_START_MIB + BOOT_MIB))

missing=()
for tool in mkfs.vfat:dosfstools mcopy:mtools mkfs.ext4:e2fsprogs sfdisk:fdisk; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
[ ${#missing[@]} -eq 0 ] || { echo "mkimg.sh: missing tools: apt-get install ${missing[*]}" >&2; exit 1; }
[ -d "$ROOTFS/boot/firmware" ] || { echo "mkimg.sh: $ROOTFS/boot/firmware does not exist (no raspi-firmware in the root filesystem?)" >&2; exit 1; }
[ "$SIZE_MIB" -gt $((ROOT_START_MIB + 64)) ] || { echo "mkimg.sh: $SIZE_MIB MiB is too small" >&2; exit 1; }

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/envirowatch-mkimg.XXXXXX")"
FIRMWARE_ASIDE=""
restore() {
  # Put /boot/firmware back into ROOTFS if it was moved aside for mkfs.ext4.
  if [ -n "$FIRMWARE_ASIDE" ] && [ -d "$FIRMWARE_ASIDE" ]; then
    rmdir "$ROOTFS/boot/firmware" 2>/dev/null || true
    mv "$FIRMWARE_ASIDE" "$ROOTFS/boot/firmware"
  fi
  rm -rf "$SCRATCH"
}
trap restore EXIT

# The boot partition: FAT32, the files raspi-firmware put in /boot/firmware.
mkfs.vfat -C -F 32 -n RASPIFIRM -S 512 "$SCRATCH/boot.vfat" $((BOOT_MIB * 1024)) >/dev/null
if [ -n "$(ls -A "$ROOTFS/boot/firmware")" ]; then
  mcopy -s -p -i "$SCRATCH/boot.vfat" "$ROOTFS"/boot/firmware/* ::/
fi

# The root partition: everything else; /boot/firmware is only the (empty) mount point there.
FIRMWARE_ASIDE="$SCRATCH/firmware"
mv "$ROOTFS/boot/firmware" "$FIRMWARE_ASIDE"
mkdir "$ROOTFS/boot/firmware"
mkfs.ext4 -q -F -L RASPIROOT -E root_owner=0:0 -d "$ROOTFS" "$SCRATCH/root.ext4" "$((SIZE_MIB - ROOT_START_MIB))M"
rmdir "$ROOTFS/boot/firmware"
mv "$FIRMWARE_ASIDE" "$ROOTFS/boot/firmware"
FIRMWARE_ASIDE=""

rm -f "$OUTPUT"
truncate -s "${SIZE_MIB}M" "$OUTPUT"
sfdisk --quiet "$OUTPUT" <<TABLE
label: dos
start=$((BOOT_START_MIB * 2048)), size=$((BOOT_MIB * 2048)), type=c, bootable
start=$((ROOT_START_MIB * 2048)), type=83
TABLE
dd if="$SCRATCH/boot.vfat" of="$OUTPUT" bs=1M seek="$BOOT_START_MIB" conv=notrunc,sparse status=none
dd if="$SCRATCH/root.ext4" of="$OUTPUT" bs=1M seek="$ROOT_START_MIB" conv=notrunc,sparse status=none
echo "mkimg.sh: $OUTPUT ($SIZE_MIB MiB: boot ${BOOT_MIB} MiB at ${BOOT_START_MIB} MiB, root at ${ROOT_START_MIB} MiB)"
