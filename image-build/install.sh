#!/usr/bin/env bash
# Installs envirowatch on a Raspberry Pi running Raspberry Pi OS or Debian from its Debian package
# (npm run package:deb builds it), and turns on what a package should not: I²C and SPI on the
# board, which are boot-firmware settings of the system. Running it again changes nothing.
#
#   sudo image-build/install.sh [--enable-analyzer] [envirowatch_<version>_<arch>.deb]
#        the package: default the newest dist-deb/envirowatch_*_<this machine's architecture>.deb
#        --enable-analyzer   also enable and start the central analyzer (off by default: sensors send to one)
#   image-build/install.sh --root DIR     only the board settings, into another root (a test)
set -euo pipefail

SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT=/
ENABLE_ANALYZER=0
DEB=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a directory}"; shift 2 ;;
    --enable-analyzer) ENABLE_ANALYZER=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) DEB="$1"; shift ;;
  esac
done
ROOT="$(cd "$ROOT" && pwd)"
LIVE=0; [ "$ROOT" = / ] && LIVE=1

fail() { echo "install.sh: $*" >&2; exit 1; }
step() { echo "install.sh: $*"; }

if [ "$LIVE" = 1 ]; then
  [ "$(id -u)" = 0 ] || fail "run it as root (sudo), or with --root DIR"
  if [ -z "$DEB" ]; then
    DEB="$(ls -v "$SOURCE"/dist-deb/envirowatch_*_"$(dpkg --print-architecture)".deb 2>/dev/null | tail -n 1 || true)"
    [ -n "$DEB" ] || fail "no package in $SOURCE/dist-deb: run npm ci && npm run build && npm run package:deb first, or name the .deb"
  fi
  [ -f "$DEB" ] || fail "$DEB: no such file"
fi

# --- the board: I²C and SPI -------------------------------------------------------------------
step "enabling I²C and SPI for the Enviro board"
if [ "$LIVE" = 1 ] && command -v raspi-config >/dev/null; then
  raspi-config nonint do_i2c 0
  raspi-config nonint do_spi 0
elif [ -e "$ROOT/etc/default/raspi-firmware" ]; then
  # Debian's raspi-firmware with its upstream kernel: i2c1 is on in the DTBs; SPI0 needs an overlay,
  # which its hook writes into config.txt at the next initramfs update.
  touch "$ROOT/etc/default/raspi-firmware-custom"
  if ! grep -qx 'dtoverlay=pi4-spidev' "$ROOT/etc/default/raspi-firmware-custom"; then
    echo 'dtoverlay=pi4-spidev' >> "$ROOT/etc/default/raspi-firmware-custom"
    if [ "$LIVE" = 1 ]; then update-initramfs -u; fi
  fi
fi

# --- the package --------------------------------------------------------------------------------
if [ "$LIVE" = 0 ]; then
  step "done (into $ROOT; the package is not installed into another root)"
  exit 0
fi
step "installing $DEB"
# apt resolves its Depends (nodejs, ...); an existing /etc/envirowatch/*.yaml is kept.
apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")"
if [ "$ENABLE_ANALYZER" = 1 ]; then systemctl enable --now envirowatch-analyzer.service; fi
step "done: systemctl status envirowatch-agent; snmpwalk -v2c -c public localhost 1.3.6.1.4.1.21600.1.5.1.1.1"
