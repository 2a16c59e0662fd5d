#!/usr/bin/env bash
# Boot test of the SD image (npm run test:image; slow: TCG emulation, minutes). On a copy of the
# image it writes envirowatch.yaml into the FAT partition with mcopy (host name ewtest, SNMP
# community ewsecret, an SSH key made for the test), boots it in qemu-system-aarch64 -M virt with
# the image's own kernel and initrd (root by label) and user-mode networking, then checks from
# outside: SNMP answers the configured community with sysName ewtest, the 21600 table walks,
# the root filesystem grew to the (larger) disk,
# "public" is refused, no systemd unit failed, the first-boot log on the FAT partition says it
# applied the file and (no I²C on virt) that no GPIO header bus was found; envirowatch is installed
# as its Debian package at the version sysDescr reports, unattended-upgrades is on; then upgrades it
# in place to a package one version newer (built here) and checks sysDescr's new version, engine
# boots up by exactly one, agent.yaml (edited by the first boot) unchanged, and the older package
# refused; and powers the guest off cleanly. Prints the boot time and the test's time.
#
#   image-build/test/boot-test.sh [OUT]     (OUT: build.sh's output directory, default image-build/out)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$REPO/image-build/out}"
SNMP_PORT=11161
SSH_PORT=12222
started=$SECONDS
say() { echo "boot-test [$((SECONDS - started))s]: $*"; }
fail() {
  echo "boot-test: FAILED: $*" >&2
  [ -s "${WORK:-}/qemu.log" ] && { echo "--- QEMU said ---" >&2; tail -20 "$WORK/qemu.log" >&2; }
  [ -f "${CONSOLE:-}" ] && { echo "--- last console lines ---" >&2; tail -40 "$CONSOLE" >&2; }
  exit 1
}

missing=()
for tool in qemu-system-aarch64:qemu-system-arm mcopy:mtools snmpget:snmp snmpwalk:snmp ssh:openssh-client ssh-keygen:openssh-client; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
[ ${#missing[@]} -eq 0 ] || fail "missing tools: apt-get install ${missing[*]}"
IMAGE="$(ls "$OUT"/envirowatch-*-arm64.img 2>/dev/null | head -1)"
[ -n "$IMAGE" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ] || fail "no image in $OUT: run image-build/build.sh first"

WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/envirowatch-boot.XXXXXX")"
QEMU_PID=""
cleanup() { [ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
CONSOLE="$WORK/console.log"

say "preparing a copy of $(basename "$IMAGE") with envirowatch.yaml on its boot partition"
cp --sparse=always "$IMAGE" "$WORK/test.img"
truncate -s 3G "$WORK/test.img"   # a bigger card than the image: the root partition must grow to it
ssh-keygen -q -t ed25519 -N '' -C boot-test -f "$WORK/key"
cat > "$WORK/envirowatch.yaml" <<EOF
hostname: ewtest
ssh:
  authorizedKeys: ["$(cat "$WORK/key.pub")"]
agent:
  snmp:
    communities: [{ name: ewsecret }]
    sysLocation: "QEMU boot test"
EOF
mcopy -o -i "$WORK/test.img@@4M" "$WORK/envirowatch.yaml" ::/envirowatch.yaml

say "booting it in qemu-system-aarch64 -M virt (TCG)"
# romfile= : no iPXE option ROM for the NIC (only network boot needs it; Debian ships it in
# ipxe-qemu, a Recommends that --no-install-recommends leaves out, and QEMU refuses to start without it).
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -display none -no-reboot \
  -kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.img" \
  -append "root=LABEL=RASPIROOT rw rootwait console=ttyAMA0 net.ifnames=0" \
  -drive if=none,file="$WORK/test.img",format=raw,id=hd0 -device virtio-blk-pci,drive=hd0 \
  -netdev user,id=n0,hostfwd=udp:127.0.0.1:$SNMP_PORT-:161,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22 \
  -device virtio-net-pci,netdev=n0,romfile= -serial file:"$CONSOLE" >"$WORK/qemu.log" 2>&1 &
QEMU_PID=$!
boot_started=$SECONDS

sysname=""
while [ $((SECONDS - boot_started)) -lt 600 ]; do
  kill -0 "$QEMU_PID" 2>/dev/null || fail "QEMU exited during boot"
  sysname="$(snmpget -v2c -c ewsecret -t 2 -r 0 -Oqv 127.0.0.1:$SNMP_PORT 1.3.6.1.2.1.1.5.0 2>/dev/null || true)"
  [ -n "$sysname" ] && break
  sleep 5
done
[ -n "$sysname" ] || fail "SNMP did not answer the community ewsecret within 10 minutes"
boot_time=$((SECONDS - boot_started))
say "SNMP answered after ${boot_time}s: sysName.0 = $sysname"
[ "$sysname" = '"ewtest"' ] || [ "$sysname" = ewtest ] || fail "sysName.0 is $sysname, not ewtest"

table="$(snmpwalk -v2c -c ewsecret -On 127.0.0.1:$SNMP_PORT 1.3.6.1.4.1.21600.1.5.1.1.1.2)" || fail "the walk of the 21600 table got no answer"
echo "$table"
echo "$table" | grep -q 'STRING: "Temperature"' || fail "the 21600 table has no Temperature row"
if snmpget -v2c -c public -t 2 -r 1 127.0.0.1:$SNMP_PORT 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; then fail "the community public answered although envirowatch.yaml set another"; fi
say "public is refused"

guest() { ssh -q -p "$SSH_PORT" -i "$WORK/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 root@127.0.0.1 "$@"; }
for _ in $(seq 1 30); do guest true && break; sleep 5; done
state="$(guest systemctl is-system-running --wait || true)"
failed="$(guest systemctl --failed --no-legend --plain || true)"
say "system state: $state"
[ -z "$failed" ] || fail "failed units: $failed"
guest cat /boot/firmware/envirowatch-firstboot.log
guest "grep -q 'applied; envirowatch.yaml renamed' /boot/firmware/envirowatch-firstboot.log" || fail "the first-boot log does not say the file was applied"
# virt has no GPIO header bus: envirowatch-firstboot-i2c.service says so there, with the buses seen.
guest "grep -q 'I²C: i2c.bus: auto found no GPIO header bus' /boot/firmware/envirowatch-firstboot.log" || fail "the first-boot log has no I²C line"
guest 'node --version; uname -m; systemctl show -p ActiveState,SubState envirowatch-agent.service'
# Type=notify and the watchdog (WatchdogSec=30s): still the first start well past 30 s later.
restarts="$(guest 'sleep 35; systemctl show -p NRestarts --value envirowatch-agent.service; systemctl is-active envirowatch-agent.service')"
[ "$restarts" = "$(printf '0\nactive')" ] || fail "the agent was restarted or is not active after 35 s: $restarts"
say "the agent is active, never restarted by its watchdog"

# First boot grew the root partition and its filesystem to the 3 GiB disk (1788 MiB in the image; ext4 shows ~2730 MiB of 3 GiB).
root_bytes="$(guest 'df -B1 --output=size / | tail -1' | tr -d ' ')"
[ "$root_bytes" -gt $((2500 * 1024 * 1024)) ] || fail "the root filesystem is $root_bytes bytes: it did not grow to the disk"
say "the root filesystem grew to $((root_bytes / 1024 / 1024)) MiB"

# The package (#20): installed by the image, its version in sysDescr, security updates on.
VERSION="$(node -p "require('$REPO/package.json').version")"
installed="$(guest "dpkg-query -W -f '\${Version} \${Status}' envirowatch")"
[ "$installed" = "$VERSION install ok installed" ] || fail "dpkg says envirowatch is \"$installed\", not $VERSION installed"
descr() { snmpget -v2c -c ewsecret -t 2 -r 1 -Oqv 127.0.0.1:$SNMP_PORT 1.3.6.1.2.1.1.1.0 2>/dev/null || true; }
case "$(descr)" in *"envirowatch $VERSION "*) ;; *) fail "sysDescr.0 is $(descr), without envirowatch $VERSION" ;; esac
guest 'apt-config dump APT::Periodic::Unattended-Upgrade; systemctl is-enabled apt-daily.timer apt-daily-upgrade.timer' | tr '\n' ' ' | grep -qx 'APT::Periodic::Unattended-Upgrade "1"; enabled enabled ' || fail "unattended-upgrades is not on"
say "envirowatch $VERSION installed as a package (sysDescr $(descr)); unattended-upgrades on"

# An update in place: the next version's package over this one.
NEXT="$VERSION+boottest"
"$REPO/packaging/build-deb.sh" --arch arm64 --version "$NEXT" --out "$WORK" --no-lintian >"$WORK/build-deb.log" 2>&1 || fail "cannot build the $NEXT package; see $WORK/build-deb.log"
boots() { guest cat /var/lib/envirowatch/snmp-engine.json | sed -n 's/.*"engineBoots":\([0-9]*\).*/\1/p'; }
boots_before="$(boots)"
config_before="$(guest sha256sum /etc/envirowatch/agent.yaml)"
guest 'cat > /tmp/next.deb' < "$WORK/envirowatch_${NEXT}_arm64.deb"
guest 'cat > /tmp/this.deb' < "$OUT/envirowatch_${VERSION}_arm64.deb"
update_started=$SECONDS
guest 'dpkg -i /tmp/next.deb' || fail "dpkg -i of $NEXT failed in the guest"
for _ in $(seq 1 60); do case "$(descr)" in *"envirowatch $NEXT "*) break ;; esac; sleep 3; done
case "$(descr)" in *"envirowatch $NEXT "*) ;; *) fail "after the update sysDescr.0 is $(descr), without envirowatch $NEXT" ;; esac
say "updated to $NEXT: SNMP answered with the new version $((SECONDS - update_started))s after dpkg -i started"
boots_after="$(boots)"
[ "$boots_after" = $((boots_before + 1)) ] || fail "engine boots went from $boots_before to $boots_after, not up by one"
[ "$(guest sha256sum /etc/envirowatch/agent.yaml)" = "$config_before" ] || fail "the update changed /etc/envirowatch/agent.yaml"
if guest 'dpkg -i /tmp/this.deb' >"$WORK/downgrade.log" 2>&1; then fail "the downgrade to $VERSION was not refused"; fi
grep -q "refusing to downgrade from $NEXT to $VERSION" "$WORK/downgrade.log" || fail "the downgrade failed for another reason: $(cat "$WORK/downgrade.log")"
[ "$(guest "dpkg-query -W -f '\${Version}' envirowatch")" = "$NEXT" ] || fail "after the refused downgrade envirowatch is not $NEXT"
# Refused before anything changed: the agent was not even restarted.
[ "$(boots)" = "$boots_after" ] || fail "the refused downgrade restarted the agent (engine boots $boots_after -> $(boots))"
say "engine boots $boots_before -> $boots_after, agent.yaml unchanged; the downgrade to $VERSION refused, the agent left running"

say "powering off"
guest systemctl poweroff || true
for _ in $(seq 1 60); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 2; done
kill -0 "$QEMU_PID" 2>/dev/null && fail "the guest did not power off within 2 minutes"
QEMU_PID=""
say "PASSED: SNMP after ${boot_time}s of boot; whole test $((SECONDS - started))s"
