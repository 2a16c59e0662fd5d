#!/usr/bin/env bash
# Installs envirowatch on a Raspberry Pi running Raspberry Pi OS or Debian (and builds the SD
# image's root filesystem: image-build/build.sh runs it with --root). Idempotent: running it again
# leaves the same system, and never overwrites /etc/envirowatch/*.yaml that exist.
#
#   sudo image-build/install.sh                 # from a built checkout (npm ci && npm run build)
#   image-build/install.sh --root DIR           # into another root (an image, a test), no services touched
#   options: --skip-npm   use the node_modules already in the checkout instead of npm ci --omit=dev
#                         (the image build cross-compiles them for arm64)
#            --enable-analyzer   also enable the central analyzer (off by default: sensors send to one)
set -euo pipefail

SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT=/
SKIP_NPM=0
ENABLE_ANALYZER=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a directory}"; shift 2 ;;
    --skip-npm) SKIP_NPM=1; shift ;;
    --enable-analyzer) ENABLE_ANALYZER=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$ROOT" && pwd)"
APP="$ROOT/opt/envirowatch"
LIVE=0; [ "$ROOT" = / ] && LIVE=1

fail() { echo "install.sh: $*" >&2; exit 1; }
step() { echo "install.sh: $*"; }

# --- prerequisites ---------------------------------------------------------------------------
[ "$LIVE" = 0 ] || [ "$(id -u)" = 0 ] || fail "run it as root (sudo), or with --root DIR"
[ -f "$SOURCE/dist/src/cli/envirowatch.mjs" ] || fail "no build in $SOURCE: run npm ci && npm run build first"
for tool in systemctl install; do command -v "$tool" >/dev/null || fail "$tool not found"; done
command -v groupadd >/dev/null || fail "groupadd not found: apt-get install passwd"
if [ "$SKIP_NPM" = 0 ]; then
  command -v npm >/dev/null || fail "npm not found: apt-get install nodejs npm (Node.js 20 or later)"
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge 20 ] || fail "Node.js $node_major is too old: envirowatch needs 20 or later"
fi

# A half-copied application is worse than the old one: copy into a new directory, swap at the end.
STAGE="$ROOT/opt/.envirowatch.new"
cleanup() { rm -rf "$STAGE"; }
trap cleanup EXIT

# --- the application in /opt/envirowatch ------------------------------------------------------
step "installing the application in /opt/envirowatch"
rm -rf "$STAGE"
mkdir -p "$STAGE/bin"
cp -a "$SOURCE/dist" "$SOURCE/assets" "$SOURCE/config" "$SOURCE/systemd" "$SOURCE/mibs" "$SOURCE/package.json" "$SOURCE/package-lock.json" "$SOURCE/README.md" "$STAGE/"
rm -rf "$STAGE/dist/bench" "$STAGE/dist/test"
mkdir -p "$STAGE/src/analyzer" && cp "$SOURCE/src/analyzer/README.md" "$STAGE/src/analyzer/README.md"
if [ "$SKIP_NPM" = 1 ]; then
  [ -d "$SOURCE/node_modules" ] || fail "--skip-npm: no node_modules in $SOURCE"
  cp -a "$SOURCE/node_modules" "$STAGE/"
else
  (cd "$STAGE" && npm ci --omit=dev --no-audit --no-fund)
fi
ln -sfn ../dist/src/cli/envirowatch.mjs "$STAGE/bin/envirowatch"
# The analyzer's unit starts this one: the same commands with node's default heap flags.
ln -sfn ../dist/src/cli/envirowatch-analyzer.mjs "$STAGE/bin/envirowatch-analyzer"
rm -rf "$APP.old"
[ -d "$APP" ] && mv "$APP" "$APP.old"
mv "$STAGE" "$APP"
rm -rf "$APP.old"
mkdir -p "$ROOT/usr/local/bin"
ln -sfn /opt/envirowatch/bin/envirowatch "$ROOT/usr/local/bin/envirowatch"

# --- configuration (never overwritten) --------------------------------------------------------
# Root-only: they hold communities, SNMPv3 and SMTP passwords and password hashes. The services
# get them through systemd's LoadCredential= (see the units). A copy installed world-readable by
# an older install.sh is made root-only too.
mkdir -p "$ROOT/etc/envirowatch"
if [ ! -e "$ROOT/etc/envirowatch/agent.yaml" ]; then
  install -m 0600 "$APP/config/image-agent.yaml" "$ROOT/etc/envirowatch/agent.yaml"
  step "wrote /etc/envirowatch/agent.yaml (community public from private networks, the Enviro LCD)"
fi
if [ ! -e "$ROOT/etc/envirowatch/analyzer.yaml" ]; then
  install -m 0600 "$APP/config/analyzer.yaml" "$ROOT/etc/envirowatch/analyzer.yaml"
fi
chmod go-rwx "$ROOT/etc/envirowatch/agent.yaml" "$ROOT/etc/envirowatch/analyzer.yaml"

# --- devices: I²C, SPI, GPIO ------------------------------------------------------------------
step "enabling I²C and SPI for the Enviro board"
for group in i2c spi gpio; do
  grep -q "^$group:" "$ROOT/etc/group" 2>/dev/null || groupadd --system --prefix "$ROOT" "$group"
done
mkdir -p "$ROOT/etc/udev/rules.d" "$ROOT/etc/modules-load.d"
cat > "$ROOT/etc/udev/rules.d/60-envirowatch.rules" <<'RULES'
# envirowatch: the agent's groups own the board's devices (Raspberry Pi OS ships the same rules).
SUBSYSTEM=="i2c-dev", GROUP="i2c", MODE="0660"
SUBSYSTEM=="spidev", GROUP="spi", MODE="0660"
SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"
RULES
echo i2c-dev > "$ROOT/etc/modules-load.d/envirowatch.conf"
if [ "$LIVE" = 1 ] && command -v raspi-config >/dev/null; then
  raspi-config nonint do_i2c 0
  raspi-config nonint do_spi 0
elif [ -d "$ROOT/etc/default" ] && [ -e "$ROOT/etc/default/raspi-firmware" ]; then
  # Debian's raspi-firmware with its upstream kernel: i2c1 is on in the DTBs; SPI0 needs an overlay.
  touch "$ROOT/etc/default/raspi-firmware-custom"
  grep -qx 'dtoverlay=pi4-spidev' "$ROOT/etc/default/raspi-firmware-custom" || echo 'dtoverlay=pi4-spidev' >> "$ROOT/etc/default/raspi-firmware-custom"
fi

# --- journald: spare the SD card --------------------------------------------------------------
mkdir -p "$ROOT/etc/systemd/journald.conf.d"
printf '[Journal]\nSystemMaxUse=64M\n' > "$ROOT/etc/systemd/journald.conf.d/envirowatch.conf"

# --- units ------------------------------------------------------------------------------------
step "installing the systemd units"
mkdir -p "$ROOT/etc/systemd/system"
for unit in envirowatch-agent.service envirowatch-analyzer.service envirowatch-firstboot.service envirowatch-firstboot-i2c.service; do
  install -m 0644 "$APP/systemd/$unit" "$ROOT/etc/systemd/system/$unit"
done
units=(envirowatch-agent.service envirowatch-firstboot.service)
[ "$ENABLE_ANALYZER" = 1 ] && units+=(envirowatch-analyzer.service)
if [ "$LIVE" = 1 ]; then
  systemctl daemon-reload
  systemctl enable "${units[@]}"
  udevadm control --reload-rules 2>/dev/null && udevadm trigger 2>/dev/null || true
  modprobe i2c-dev 2>/dev/null || true
  systemctl restart envirowatch-agent.service
  [ "$ENABLE_ANALYZER" = 1 ] && systemctl restart envirowatch-analyzer.service
  step "done: systemctl status envirowatch-agent; snmpwalk -v2c -c public localhost 1.3.6.1.4.1.21600.1.5.1.1.1"
else
  systemctl --root="$ROOT" enable "${units[@]}" >/dev/null
  step "done (into $ROOT)"
fi
