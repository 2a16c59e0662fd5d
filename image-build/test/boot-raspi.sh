#!/usr/bin/env bash
# Boot test of the SD image on QEMU's Raspberry Pi machines (npm run test:image:raspi; opt-in, slow:
# TCG emulation of a Pi, many minutes). Uses QEMU from Debian trixie (10.x; bookworm's 7.2 has no
# raspi4b), run from a trixie amd64 root made by mmdebstrap and cached in image-build/cache/, so the
# host's own packages are not touched.
#
# On a copy of the image: the kernel, initrd, cmdline.txt, config.txt, the board's DTB and the
# overlays config.txt names are read from the FAT partition with mcopy; the overlays are applied to
# the DTB with fdtoverlay (QEMU does not run the GPU firmware that applies them on a real Pi); the
# machine boots with the image as its SD card and the image's own kernel command line (console on
# the mini UART, ttyS1; console=tty0 left out: there is no screen), plus, for this test only,
# systemd.debug_shell=ttyS1 (a root shell on the serial console, through which the checks run; the
# serial getty masked) and a longer device timeout for the slow emulation.
# Nothing is written to the image; its copy gets envirowatch.yaml. Checks, once envirowatch-agent.service is active (ready):
#   1. the agent's log says which I²C bus it chose: /dev/i2c-N naming the header controller's node
#      i2c@7e804000, and sysfs agrees (/sys/bus/i2c/devices/i2c-N/of_node);
#   2. with i2c-dev and spidev loaded and the GPIO character device present, every
#      DeviceAllow=char-NAME of systemd/*.service is a character device group in /proc/devices;
#   3. /dev/spidev0.1 opens (O_RDWR, and through the agent's spi-device module) in a transient
#      unit with exactly the agent unit's [Service] sandbox (DynamicUser, groups, DevicePolicy=closed,
#      DeviceAllow=, system call filter, ...), and is refused (EPERM) with char-spi taken out of it;
#   4. no unit failed (but systemd-networkd-wait-online: there is no network on these machines);
#   5. the first-boot log on the boot partition (the copy gets an envirowatch.yaml, so that
#      envirowatch-firstboot.service runs) names the bus the agent chose and, as no sensor is
#      emulated, says none answers and lists the buses seen with their controllers;
#   6. raspi4b: the agent's display started (fonts, node-libgpiod, GPIO lines), failing since only
#      on SPI transfers that time out (QEMU emulates no SPI controller); raspi3b runs without it.
# Prints the boot time (QEMU start to the agent ready) and the serial console lines that matter.
#
#   image-build/test/boot-raspi.sh raspi4b|raspi3b [OUT]   (OUT: build.sh's output, default image-build/out)
set -euo pipefail

MACHINE="${1:-}"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${2:-$REPO/image-build/out}"
CACHE="${ENVIROWATCH_IMAGE_CACHE:-$REPO/image-build/cache}"
MIRROR="${ENVIROWATCH_MIRROR:-http://deb.debian.org/debian}"
BOOT_TIMEOUT="${ENVIROWATCH_RASPI_TIMEOUT:-1500}"   # seconds from QEMU's start to the agent ready
# UNEMULATED: device-tree nodes disabled for QEMU only. raspi4b maps nothing at 0x7ef00000-0x7ef0ffff
# (the HDMI block: DVP clock, the AON L2 interrupt controller, HDMI and its two DDC I²C buses); with
# them enabled Debian's kernel dies at 3.3 s of boot: "Internal error: synchronous external abort"
# in brcmstb_l2_intc_of_init (interrupt-controller@7ef00100), then "Kernel panic - not syncing:
# Attempted to kill init!". So on raspi4b the two HDMI buses that come first on a real Pi 4 are absent.
# UNSUPPLIED: properties deleted for QEMU only. The SD card's regulators and the Wi-Fi power sequence
# switch lines of the firmware's GPIO expander (raspberrypi,firmware-gpio), which QEMU's mailbox does
# not implement: "regulator-sd-vcc: probe with driver reg-fixed-voltage failed with error -5", so the
# SD controllers never probe and the initramfs ends "Gave up waiting for root file system device ...
# ALERT!  LABEL=RASPIROOT does not exist.  Dropping to a shell!".
case "$MACHINE" in
  raspi4b) DTB=bcm2711-rpi-4-b.dtb; MEM=2G; DISPLAY_TYPE=st7735
    UNEMULATED="/soc/clock@7ef00000 /soc/interrupt-controller@7ef00100 /soc/hdmi@7ef00700 /soc/i2c@7ef04500 /soc/hdmi@7ef05700 /soc/i2c@7ef09500"
    UNSUPPLIED="/emmc2bus/mmc@7e340000:vqmmc-supply /emmc2bus/mmc@7e340000:vmmc-supply /soc/mmc@7e300000:mmc-pwrseq" ;;
  # DISPLAY_TYPE none on raspi3b: there the agent's first SPI frames (no SPI controller is
  # emulated) locked CPU 0 in the kernel ("soft lockup - CPU#0 stuck for 212s! [libuv-worker]", most
  # likely the agent's transfer), after which systemctl daemon-reload timed out; on raspi4b they end in ETIMEDOUT.
  raspi3b) DTB=bcm2837-rpi-3-b.dtb; MEM=1G; UNEMULATED=""; UNSUPPLIED=""; DISPLAY_TYPE=none ;;
  *) echo "usage: $0 raspi4b|raspi3b [OUT]" >&2; exit 2 ;;
esac
started=$SECONDS
say() { echo "boot-raspi $MACHINE [$((SECONDS - started))s]: $*"; }
fail() {
  echo "boot-raspi $MACHINE: FAILED: $*" >&2
  [ -s "${WORK:-}/qemu.err" ] && { echo "--- QEMU said ---" >&2; tail -20 "$WORK/qemu.err" >&2; }
  [ -f "${CONSOLE:-}" ] && { echo "--- last serial console lines ---" >&2; tail -60 "$CONSOLE" | tr -d '\r' >&2; }
  exit 1
}

[ "$(uname -m)" = x86_64 ] || fail "QEMU is taken from a trixie amd64 root: run this on an x86-64 host"
missing=()
for tool in mmdebstrap:mmdebstrap mcopy:mtools zstd:zstd; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
[ ${#missing[@]} -eq 0 ] || fail "missing tools: apt-get install ${missing[*]}"
IMAGE="$(ls "$OUT"/envirowatch-*-arm64.img 2>/dev/null | head -1)"
[ -n "$IMAGE" ] || fail "no image in $OUT: run image-build/build.sh first"

# --- QEMU (and fdtoverlay) from Debian trixie, run with the root's own dynamic loader ---------------
QEMU_PACKAGES=qemu-system-arm,device-tree-compiler
QROOT_TAR="$CACHE/qemu-trixie-amd64-$(echo "$QEMU_PACKAGES" | sha256sum | cut -c1-12).tar.zst"
QROOT="${QROOT_TAR%.tar.zst}"
mkdir -p "$CACHE"
if [ ! -f "$QROOT_TAR" ]; then
  [ "$(id -u)" = 0 ] || fail "the first run makes a trixie amd64 root with mmdebstrap: run it as root once"
  say "making a trixie amd64 root with $QEMU_PACKAGES (about a minute) into $QROOT_TAR"
  mmdebstrap --variant=apt --include="$QEMU_PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    trixie "$CACHE/partial-$(basename "$QROOT_TAR")" "$MIRROR" >"$CACHE/qemu-trixie-amd64.log" 2>&1 || fail "mmdebstrap failed; see $CACHE/qemu-trixie-amd64.log"
  mv "$CACHE/partial-$(basename "$QROOT_TAR")" "$QROOT_TAR"
  rm -rf "$QROOT"
fi
# Unpacked again when QEMU or the loader is missing (a copy of the cache that turned the root's
# relative symlinks, such as lib64, into absolute ones pointing elsewhere leaves no loader).
if [ ! -x "$QROOT/usr/bin/qemu-system-aarch64" ] || [ ! -x "$QROOT/lib64/ld-linux-x86-64.so.2" ]; then
  rm -rf "$QROOT" && mkdir -p "$QROOT"
  tar --zstd -xf "$QROOT_TAR" -C "$QROOT" --no-same-owner --exclude='./dev/*' || fail "cannot unpack $QROOT_TAR"
fi
inroot() { "$QROOT/lib64/ld-linux-x86-64.so.2" --library-path "$QROOT/usr/lib/x86_64-linux-gnu:$QROOT/lib/x86_64-linux-gnu" "$@"; }
qemu() { inroot "$QROOT/usr/bin/qemu-system-aarch64" -L "$QROOT/usr/share/qemu" "$@"; }
say "$(qemu --version | head -1)"
qemu -M help | grep -q "^$MACHINE " || fail "this QEMU has no $MACHINE machine"

WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/envirowatch-raspi.XXXXXX")"
QEMU_PID=""
cleanup() {
  [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
  exec 3>&- 2>/dev/null || true
  if [ -n "${ENVIROWATCH_RASPI_KEEP:-}" ]; then rm -f "$WORK/sd.img"; echo "boot-raspi: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap "exit 143" TERM INT HUP
CONSOLE="$WORK/console.log"

# --- the boot files from the image's FAT partition --------------------------------------------------
say "reading the boot files of $(basename "$IMAGE") from its FAT partition"
cp --sparse=always "$IMAGE" "$WORK/sd.img"
size=$(stat -c %s "$WORK/sd.img"); pow=1; while [ $pow -lt "$size" ]; do pow=$((pow * 2)); done
[ "$pow" = "$size" ] || truncate -s "$pow" "$WORK/sd.img"   # QEMU's SD card must be a power of two
printf 'hostname: ew%s\nagent:\n  display:\n    type: %s\n' "$MACHINE" "$DISPLAY_TYPE" > "$WORK/envirowatch.yaml"
mcopy -o -i "$WORK/sd.img@@4M" "$WORK/envirowatch.yaml" ::/envirowatch.yaml || fail "cannot put envirowatch.yaml on the copy's boot partition"
fat() { mcopy -n -o -i "$WORK/sd.img@@4M" "::/$1" "$WORK/$2"; }
fat config.txt config.txt && fat cmdline.txt cmdline.txt && fat "$DTB" board.dtb || fail "no config.txt, cmdline.txt or $DTB on the FAT partition"
kernel="$(sed -n 's/^kernel=//p' "$WORK/config.txt" | head -1)"
initrd="$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' "$WORK/config.txt" | head -1)"
[ -n "$kernel" ] && [ -n "$initrd" ] || fail "config.txt names no kernel= or initramfs"
fat "$kernel" vmlinuz && fat "$initrd" initrd.img || fail "$kernel or $initrd is not on the FAT partition"
# The firmware applies config.txt's dtoverlay= lines to the DTB before the kernel starts; QEMU has no
# firmware, so do it here with trixie's fdtoverlay (the DTBs carry __symbols__ for this).
overlays=()
for name in $(sed -n 's/^dtoverlay=\([^,]*\).*/\1/p' "$WORK/config.txt"); do
  fat "overlays/$name.dtbo" "$name.dtbo" || fail "config.txt names dtoverlay=$name, but overlays/$name.dtbo is not on the FAT partition"
  overlays+=("$WORK/$name.dtbo")
done
if [ ${#overlays[@]} -gt 0 ]; then
  inroot "$QROOT/usr/bin/fdtoverlay" -i "$WORK/board.dtb" -o "$WORK/board+overlays.dtb" "${overlays[@]}" || fail "fdtoverlay could not apply ${overlays[*]##*/} to $DTB"
  mv "$WORK/board+overlays.dtb" "$WORK/board.dtb"
fi
for node in $UNEMULATED; do
  inroot "$QROOT/usr/bin/fdtput" -t s "$WORK/board.dtb" "$node" status disabled || fail "cannot disable $node in $DTB"
done
[ -z "$UNEMULATED" ] || say "disabled in the DTB for QEMU (not emulated): $UNEMULATED"
for property in $UNSUPPLIED; do
  inroot "$QROOT/usr/bin/fdtput" -d "$WORK/board.dtb" "${property%%:*}" "${property#*:}" || fail "cannot delete $property in $DTB"
done
[ -z "$UNSUPPLIED" ] || say "deleted from the DTB for QEMU (the firmware's GPIO expander is not emulated): $UNSUPPLIED"
say "config.txt: kernel=$kernel, initramfs $initrd; $DTB with the overlays: ${overlays[*]##*/}"
cmdline="$(tr -d '\r\n' < "$WORK/cmdline.txt" | sed 's/console=tty0//; s/  */ /g')"
# systemd.default_device_timeout_sec: udev's coldplug under TCG can take longer than the default 90 s,
# which ends in "Timed out waiting for device /dev/disk/by-label/RASPIFIRM" and emergency mode.
# systemd.mask=serial-getty@ttyS1: its agetty would hang up the tty under the debug shell and then
# compete with it for the input.
cmdline="$cmdline systemd.debug_shell=ttyS1 systemd.mask=serial-getty@ttyS1.service systemd.default_device_timeout_sec=900${ENVIROWATCH_RASPI_APPEND:+ $ENVIROWATCH_RASPI_APPEND}"   # e.g. earlycon, to debug
say "kernel command line: $cmdline"

# --- boot ---------------------------------------------------------------------------------------------
# First serial port: the PL011 (ttyAMA0, which has the Bluetooth node in the Pi 4 DTB);
# second: the mini UART, ttyS1, the image's console. Its input is a FIFO the checks write to.
mkfifo "$WORK/serial.in"
say "booting it in qemu-system-aarch64 -M $MACHINE (TCG)"
# Called through the loader directly (not the qemu function), so that $! is QEMU itself, for the cleanup.
"$QROOT/lib64/ld-linux-x86-64.so.2" --library-path "$QROOT/usr/lib/x86_64-linux-gnu:$QROOT/lib/x86_64-linux-gnu" \
  "$QROOT/usr/bin/qemu-system-aarch64" -L "$QROOT/usr/share/qemu" -M "$MACHINE" -m "$MEM" -display none -no-reboot -monitor none \
  -kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" -dtb "$WORK/board.dtb" -append "$cmdline" \
  -drive file="$WORK/sd.img",if=sd,format=raw \
  -serial null -serial stdio <"$WORK/serial.in" >"$CONSOLE" 2>"$WORK/qemu.err" &
QEMU_PID=$!
exec 3>"$WORK/serial.in"
boot_started=$SECONDS

# An expect-like exchange over the serial console: send a command, wait for its end marker (printed
# with printf, so the echoed command line never contains it), return what it printed.
echo 0 > "$WORK/sent"
run() {   # run TIMEOUT COMMAND: its output (without the marker) on stdout; its exit status
  local timeout="$1" from marker rc n
  shift
  n=$(($(cat "$WORK/sent") + 1)); echo "$n" > "$WORK/sent"; marker="@@END$n@@"
  from=$(wc -l < "$CONSOLE")
  printf '%s; printf "@@%%s%%s@@ rc=%%s\\n" END %s $?\n' "$*" "$n" >&3
  local waited=0
  while ! grep -aq "^$marker rc=" "$CONSOLE"; do
    kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU exited while running: $*"
    [ $waited -lt "$timeout" ] || return 124
    sleep 1; waited=$((waited + 1))
  done
  rc="$(grep -a "^$marker rc=" "$CONSOLE" | head -1 | tr -d '\r' | sed 's/.* rc=//')"
  # Without the terminal control sequences bash and systemd write (bracketed paste, cursor queries).
  tail -n +"$((from + 1))" "$CONSOLE" | tr -d '\r' | sed -n "/^$marker rc=/q; p" | sed 's/\x1b\[[0-9;?!]*[a-zA-Z]//g; s/\x1b\][0-9;]*\x07//g' | grep -av 'printf "@@%s%s@@' || true
  return "$rc"
}

say "waiting for the serial console's debug shell"
shell=""
while [ $((SECONDS - boot_started)) -lt "$BOOT_TIMEOUT" ]; do
  kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU exited during boot"
  # Type nothing before systemd says the shell is there: the tty echoes what arrives, and under TCG
  # that echo alone stalled the guest's CPUs (RCU stall warnings in uart_put_char). A raspi3b boot
  # typed at the 2-minute mark (before its shell, under load) then printed a console line only every
  # 30 s. Only
  # after 900 s without that line (garbled on the console, say) is it tried every 2 minutes.
  if ! grep -aq 'debug-shell.service' "$CONSOLE"; then
    elapsed=$((SECONDS - boot_started))
    if [ "$elapsed" -lt 900 ] || [ $((elapsed % 120)) -ge 10 ]; then sleep 5; continue; fi
  fi
  # No echo, line editing, prompt or colours on the serial line; kernel messages off the console.
  if run 20 'set +o emacs +o vi 2>/dev/null; stty -echo; PS1=; PS2=; PROMPT_COMMAND=; export SYSTEMD_COLORS=0 SYSTEMD_PAGER=; dmesg -n 1' >/dev/null 2>&1; then shell=yes; break; fi
  sleep 10
done
[ -n "$shell" ] || fail "no shell answered on the serial console within ${BOOT_TIMEOUT}s"
say "a shell answers on ttyS1 after $((SECONDS - boot_started))s; waiting for envirowatch-agent.service to be ready"
state=""
while [ $((SECONDS - boot_started)) -lt "$BOOT_TIMEOUT" ]; do
  state="$(run 30 'systemctl is-active envirowatch-agent.service' || true)"
  echo "$state" | grep -qx active && break
  sleep 10
done
echo "$state" | grep -qx active || fail "envirowatch-agent.service is not active after ${BOOT_TIMEOUT}s: $state"
boot_time=$((SECONDS - boot_started))
say "envirowatch-agent.service is active (ready: its first reading is done) ${boot_time}s after QEMU started"
run 60 'uname -r; cat /proc/device-tree/model; echo; systemctl is-system-running' || true

# 1. The header bus.
agent_log="$(run 60 'journalctl -b -o cat -u envirowatch-agent.service | grep -a -e "I²C bus" -e display -e Display | head -20')" || true
echo "$agent_log"
bus_line="$(echo "$agent_log" | grep -a -m1 'I²C bus /dev/i2c-' || true)"
[ -n "$bus_line" ] || fail "the agent's log has no 'I²C bus /dev/i2c-N' line"
echo "$bus_line" | grep -q 'i2c@7e804000' || fail "the agent chose a bus that is not i2c@7e804000: $bus_line"
bus="$(echo "$bus_line" | sed 's/.*I²C bus \/dev\/i2c-\([0-9]*\).*/\1/')"
run 30 'for a in /sys/bus/i2c/devices/i2c-*; do echo "$a $(cat $a/name) $(readlink -f $a/of_node)"; done' || true
node="$(run 30 "readlink -f /sys/bus/i2c/devices/i2c-$bus/of_node" | grep -a '^/sys/' | tail -1)" || true
[[ "$node" == *i2c@7e804000 ]] || fail "/sys/bus/i2c/devices/i2c-$bus/of_node is $node, not the header controller"
say "check 1 passed: the agent chose /dev/i2c-$bus, and sysfs says it is $node"

# 2. Every DeviceAllow=char-NAME is a character device group of the image's kernel.
run 60 'lsmod | grep -e "^i2c_dev" -e "^spidev" -e "^spi_bcm2835" -e "^i2c_bcm2835" || true; modprobe -a i2c-dev spidev; ls -l /dev/i2c-* /dev/spidev* /dev/gpiochip*' || true
devices="$(run 30 'sed -n "/^Character devices:/,/^$/p" /proc/devices')" || fail "cannot read /proc/devices"
echo "$devices"
names="$(sed -n 's/^DeviceAllow=char-\([^ ]*\).*/\1/p' "$REPO"/systemd/*.service | sort -u)"
[ -n "$names" ] || fail "no DeviceAllow=char-NAME in systemd/*.service"
for name in $names; do
  echo "$devices" | grep -Eq "^ *[0-9]+ $name\$" || fail "DeviceAllow=char-$name: the image's kernel lists no '$name' in /proc/devices"
done
say "check 2 passed: $(echo $names | sed 's/ /, /g') are all in /proc/devices"

# 3. The agent's sandbox may open /dev/spidev0.1 (and only because of DeviceAllow=char-spi).
run 30 'printf "%s\n" "const fs = require(\"fs\"); try { fs.closeSync(fs.openSync(\"/dev/spidev0.1\", \"r+\")); console.log(\"EWPROBE open r+ ok\"); } catch (e) { console.log(\"EWPROBE open r+ \" + e.code); }" "require(\"/usr/lib/envirowatch/node_modules/spi-device\").open(0, 1, { mode: 0, maxSpeedHz: 10000000 }, (e) => console.log(\"EWPROBE spi-device \" + (e ? e.code || e.message : \"ok\")));" > /run/ew-spi-probe.js; chmod 644 /run/ew-spi-probe.js' >/dev/null || fail "cannot write the probe script"
unit="$(run 30 'systemctl show -p FragmentPath --value envirowatch-agent.service')" || true
unit="$(echo "$unit" | grep -a '^/' | tail -1)"
[ -n "$unit" ] || fail "no unit file for envirowatch-agent.service"
probe() {   # probe NAME SED_EXTRA: the agent's unit with ExecStart replaced, run once; prints EWPROBE lines
  run 120 "sed -e '/^\(Type\|NotifyAccess\|WatchdogSec\|ExecStart\|Restart\|RestartSec\|LoadCredential\|TimeoutStartSec\|WantedBy\)=/d' $2 -e 's|^\[Service\]|[Service]\nType=oneshot\nExecStart=/usr/bin/node /run/ew-spi-probe.js|' $unit > /run/systemd/system/$1.service && systemctl daemon-reload && systemctl start $1.service; journalctl -b -o cat -u $1.service | grep -a EWPROBE" || true
}
allowed="$(probe ew-spi-probe '')"
echo "$allowed"
denied="$(probe ew-spi-probe-nospi "-e '/^DeviceAllow=char-spi /d'")"
echo "$denied"
echo "$allowed" | grep -q 'EWPROBE open r+ ok' && echo "$allowed" | grep -q 'EWPROBE spi-device ok' || fail "the agent's sandbox cannot open /dev/spidev0.1: $allowed"
echo "$denied" | grep -q 'EWPROBE open r+ EPERM' || fail "without DeviceAllow=char-spi the open was not refused with EPERM (is the check real?): $denied"
say "check 3 passed: /dev/spidev0.1 opens under the agent's sandbox, and is refused (EPERM) without DeviceAllow=char-spi"

# 4. No failed unit, but for systemd-networkd-wait-online: these machines have no network here
# (raspi4b emulates no Ethernet, and no USB NIC is given to raspi3b), so it fails after its 2 minutes.
failed="$(run 60 'systemctl --failed --no-legend --plain | grep -v "^systemd-networkd-wait-online.service "')" || true
[ -z "$(echo "$failed" | tr -d '[:space:]')" ] || fail "failed units: $failed"
say "check 4 passed: no unit failed (systemd-networkd-wait-online aside: no network)"

# 5. The first-boot log: applied, then (envirowatch-firstboot-i2c.service, after the agent is ready)
# the bus the agent chose, each sensor's answer (none here: QEMU emulates no BME280 or LTR-559), and
# the buses seen with their controllers.
run 120 'for _ in $(seq 1 60); do systemctl is-active -q envirowatch-firstboot-i2c.service && break; sleep 2; done; systemctl show -p ActiveState,Result envirowatch-firstboot-i2c.service' || true
firstboot_log="$(run 30 'cat /boot/firmware/envirowatch-firstboot.log')" || fail "no envirowatch-firstboot.log on the boot partition"
echo "$firstboot_log"
echo "$firstboot_log" | grep -q 'applied; envirowatch.yaml renamed' || fail "the first-boot log does not say envirowatch.yaml was applied"
echo "$firstboot_log" | grep -q "I²C bus /dev/i2c-$bus: the GPIO header bus: bcm2835 (i2c@7e804000)" || fail "the first-boot log does not name the agent's bus /dev/i2c-$bus"
echo "$firstboot_log" | grep -q "BME280 at 0x76: no answer" || fail "the first-boot log does not say whether the BME280 answered"
echo "$firstboot_log" | grep -q "no sensor answers on /dev/i2c-$bus: .* I²C buses seen: .*i2c-$bus bcm2835 (i2c@7e804000)" || fail "the first-boot log does not list the buses seen when no sensor answers"
say "check 5 passed: the first-boot log names /dev/i2c-$bus and, with no sensor answering, the buses seen"

# 6. The display started (its fonts and node-libgpiod load, the DC and backlight lines are set).
# Its frames then fail with ETIMEDOUT: no QEMU raspi machine emulates the SPI controller, so
# spi-bcm2835 never sees a transfer finish. Any other failure (fonts, GPIO) fails the check. Not on
# raspi3b, which runs without the display (DISPLAY_TYPE above).
if [ "$DISPLAY_TYPE" = none ]; then
  say "check 6 skipped: the display is off on $MACHINE (see DISPLAY_TYPE above)"
else
  echo "$agent_log" | grep -q 'display started' || fail "the agent's display did not start: $agent_log"
  display_failed="$(run 30 'journalctl -b -o cat -u envirowatch-agent.service | grep -a -e "display failed" -e "cannot start the display" -e "display stopped" | grep -av "SPI transfer on /dev/spidev0.1 failed: ETIMEDOUT" | head -5')" || true
  [ -z "$(echo "$display_failed" | tr -d '[:space:]')" ] || fail "the agent's display failed: $display_failed"
  say "check 6 passed: the display started; its only failures are SPI transfers timing out (no SPI controller in QEMU)"
fi

# Not a check: whether the agent has been restarted since it was ready, and its last log lines.
run 60 'systemctl show -p NRestarts,ActiveState,SubState,Result envirowatch-agent.service; journalctl -b -o short-monotonic -u envirowatch-agent.service | grep -av "display failed" | tail -25' || true

kill "$QEMU_PID" 2>/dev/null || true
wait "$QEMU_PID" 2>/dev/null || true
QEMU_PID=""
say "PASSED on $MACHINE: agent ready ${boot_time}s after QEMU started; whole test $((SECONDS - started))s"
