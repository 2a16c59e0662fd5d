#!/usr/bin/env bash
# Builds the Debian package of envirowatch from a built checkout (npm ci && npm run build), with
# dpkg-deb and the npm registry only (and Debian's archive for bookworm's libgpiod on arm64):
#   the app in /usr/lib/envirowatch (production node_modules, native addons built for --arch
#   against the headers of the npm package node-linux-<arch>, cross-compiled for arm64),
#   /usr/bin/envirowatch, the units, /etc/envirowatch/{agent,analyzer}.yaml as conffiles, the
#   device groups (sysusers.d), their udev rules, and the maintainer scripts in packaging/debian/.
#
#   packaging/build-deb.sh [--arch arm64|amd64] [--version V] [--out DIR] [--cache DIR]     (npm run package:deb)
#   options: --node-modules DIR   use this node_modules (already built for --arch) instead of building one
#            --no-lintian         skip lintian (otherwise any tag not overridden fails the build)
# Output: OUT/envirowatch_<version>_<arch>.deb (default OUT dist-deb/, version from package.json).
# Needs dpkg-dev, npm, curl, xz-utils, lintian; for arm64 g++-aarch64-linux-gnu, for amd64 g++.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ARCH="$(dpkg --print-architecture)"
VERSION="$(node -p "require('$REPO/package.json').version")"
OUT="$REPO/dist-deb"
CACHE="$REPO/image-build/cache"
MIRROR="http://deb.debian.org/debian"
NODE_MODULES=""
LINTIAN=1
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="${2:?}"; shift 2 ;;
    --version) VERSION="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --cache) CACHE="${2:?}"; shift 2 ;;
    --node-modules) NODE_MODULES="$(cd "${2:?}" && pwd)"; shift 2 ;;
    --no-lintian) LINTIAN=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

fail() { echo "build-deb.sh: $*" >&2; exit 1; }
say() { echo "build-deb.sh: $*"; }
case "$ARCH" in
  arm64) TRIPLET=aarch64-linux-gnu NODE_ARCH=arm64 ;;
  amd64) TRIPLET=x86_64-linux-gnu NODE_ARCH=x64 ;;
  *) fail "--arch must be arm64 or amd64, not $ARCH" ;;
esac
dpkg --validate-version "$VERSION" 2>/dev/null || fail "$VERSION is not a Debian version"
[ -f "$REPO/dist/src/cli/envirowatch.mjs" ] || fail "no build in $REPO: run npm ci && npm run build first"
missing=()
tools=(dpkg-deb:dpkg node:nodejs gzip:gzip)
[ "$LINTIAN" = 1 ] && tools+=(lintian:lintian)
[ "$ARCH" = arm64 ] && tools+=(curl:curl xz:xz-utils)
[ -z "$NODE_MODULES" ] && tools+=(npm:npm "$TRIPLET-g++:g++-${TRIPLET//_/-}" "$TRIPLET-strip:binutils-${TRIPLET//_/-}")
for tool in "${tools[@]}"; do command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}"); done
[ ${#missing[@]} -eq 0 ] || fail "missing tools: apt-get install ${missing[*]}"

SCRATCH="$(mktemp -d "${TMPDIR:-/var/tmp}/envirowatch-deb.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
PKG="$SCRATCH/pkg"
APP="$PKG/usr/lib/envirowatch"
mkdir -p "$APP/bin" "$APP/src/analyzer" "$OUT"

# --- the application --------------------------------------------------------------------------
say "staging envirowatch $VERSION ($ARCH)"
cp -a "$REPO/assets" "$REPO/config" "$REPO/systemd" "$REPO/mibs" "$REPO/package-lock.json" "$REPO/README.md" "$APP/"
# Only the bundles (scripts/bundle.mjs) run: not tsc's per-module output or source maps.
mkdir -p "$APP/dist/src/cli"
cp -a "$REPO"/dist/src/cli/*.mjs "$REPO/dist/src/cli/chunks" "$APP/dist/src/cli/"
cp "$REPO/src/analyzer/README.md" "$APP/src/analyzer/README.md"
# The version `envirowatch --version`, sysDescr and the syslog messages report: the package's.
node -e 'const fs = require("fs"); const p = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); p.version = process.argv[3]; fs.writeFileSync(process.argv[2], JSON.stringify(p, null, 2) + "\n")' "$REPO/package.json" "$APP/package.json" "$VERSION"
ln -s ../dist/src/cli/envirowatch.mjs "$APP/bin/envirowatch"
# The analyzer's unit starts this one: the same commands with node's default heap flags.
ln -s ../dist/src/cli/envirowatch-analyzer.mjs "$APP/bin/envirowatch-analyzer"

# arm64: node-libgpiod (the LCD's DC and backlight lines) binds libgpiod 1.x, which trixie replaced
# by libgpiod 2, so it is built against bookworm's libgpiod 1.6 (libgpiod-dev), whose library
# (libgpiod2, needing only libc and libstdc++) the package recommends. Both are fetched once into
# the cache; libgpiod2 is put beside the package, where image-build/build.sh installs it from.
if [ "$ARCH" = arm64 ]; then
  GPIOD="$CACHE/libgpiod-bookworm-arm64"
  if [ ! -f "$GPIOD/libgpiod2.deb" ] || [ ! -f "$GPIOD/libgpiod-dev.deb" ]; then
    mkdir -p "$GPIOD"
    curl -fsS "$MIRROR/dists/bookworm/main/binary-arm64/Packages.xz" | xz -dc > "$GPIOD/Packages" || fail "cannot read bookworm's package index from $MIRROR"
    for package in libgpiod2 libgpiod-dev; do
      file="$(awk -v want="$package" '$1 == "Package:" { hit = ($2 == want) } hit && $1 == "Filename:" { print $2; exit }' "$GPIOD/Packages")"
      [ -n "$file" ] || fail "bookworm has no $package for arm64"
      curl -fsS -o "$GPIOD/$package.deb" "$MIRROR/$file" || fail "cannot download $file"
    done
  fi
  cp "$GPIOD/libgpiod2.deb" "$OUT/libgpiod2_bookworm_arm64.deb"
fi

# Production node_modules with the native addons built for $ARCH, cached by lock file, arch and node.
if [ -n "$NODE_MODULES" ]; then
  cp -a "$NODE_MODULES" "$APP/node_modules"
else
  NODE_VERSION="$(node -p process.versions.node)"
  KEY="$( (cat "$REPO/package-lock.json"; echo "$ARCH $NODE_VERSION"; sed -n '/^ *# addons:begin/,/^ *# addons:end/p' "$0") | sha256sum | cut -c1-16)"
  MODULES="$CACHE/node-modules-$ARCH-$KEY"
  # addons:begin
  if [ ! -d "$MODULES" ]; then
    say "building production node_modules for $ARCH (a few minutes; cached in $MODULES)"
    BUILD="$SCRATCH/modules"
    mkdir -p "$BUILD" "$CACHE"
    cp "$REPO/package.json" "$REPO/package-lock.json" "$BUILD/"
    (cd "$BUILD" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund) || fail "npm ci failed"
    # Node's headers for $ARCH from the npm registry (the same ABI as Debian's nodejs of that major).
    NODE_HEADERS="$CACHE/node-linux-$NODE_ARCH-$NODE_VERSION"
    if [ ! -d "$NODE_HEADERS/package/include/node" ]; then
      mkdir -p "$NODE_HEADERS"
      (cd "$NODE_HEADERS" && npm pack --silent "node-linux-$NODE_ARCH@$NODE_VERSION" >/dev/null && tar -xzf "node-linux-$NODE_ARCH"-*.tgz) || fail "cannot fetch node-linux-$NODE_ARCH@$NODE_VERSION"
    fi
    addons=(better-sqlite3 i2c-bus spi-device)
    flags=()
    if [ "$ARCH" = arm64 ]; then
      # node-libgpiod: against bookworm's libgpiod 1.6 (above).
      mkdir "$SCRATCH/gpiod"
      for package in libgpiod2 libgpiod-dev; do dpkg-deb -x "$GPIOD/$package.deb" "$SCRATCH/gpiod"; done
      flags=(CXXFLAGS="-I$SCRATCH/gpiod/usr/include" LDFLAGS="-L$SCRATCH/gpiod/usr/lib/aarch64-linux-gnu")
      addons+=(node-libgpiod)
    else
      # No LCD on the analyzer's host: without a libgpiod 1.x there, the module could not load.
      rm -rf "$BUILD/node_modules/node-libgpiod"
    fi
    (cd "$BUILD" &&
      env CC="$TRIPLET-gcc" CXX="$TRIPLET-g++" LINK="$TRIPLET-g++" "${flags[@]}" \
      npm_config_arch="$NODE_ARCH" npm_config_target_arch="$NODE_ARCH" npm_config_nodedir="$NODE_HEADERS/package" npm_config_build_from_source=true \
      npm rebuild "${addons[@]}") || fail "building the native modules for $ARCH failed"
    # Only the addons themselves: no objects, sources or build files in the package.
    for addon in "${addons[@]}"; do
      dir="$BUILD/node_modules/$addon"
      find "$dir/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
      find "$dir/build/Release" -mindepth 1 ! -name '*.node' -exec rm -rf {} +
      find "$dir/build/Release" -name '*.node' -exec "$TRIPLET-strip" --strip-unneeded {} +
    done
    rm -rf "$BUILD/node_modules/better-sqlite3/deps" "$BUILD/node_modules/better-sqlite3/src" "$BUILD/node_modules/better-sqlite3/build/Release/test_extension.node"
    rm -rf "$MODULES.partial" && mv "$BUILD/node_modules" "$MODULES.partial" && mv "$MODULES.partial" "$MODULES"
  fi
  # addons:end
  cp -a "$MODULES" "$APP/node_modules"
fi
# What Debian's policy and lintian ask of installed files: no npm/eslint dotfiles or bundled test
# copies of other libraries; shared objects not executable; only scripts (#!) executable.
find "$APP/node_modules" \( -name .npmignore -o -name '.eslintrc*' -o -name .travis.yml -o -name .editorconfig \) -type f -delete
rm -rf "$APP/node_modules/i2c-bus/integration-test" "$APP/node_modules/node-libgpiod/test"
find "$APP/node_modules" -name '*.node' -type f -exec chmod 0644 {} +
find "$APP" -type f -perm /111 ! -name '*.node' -print0 | while IFS= read -r -d '' file; do
  if [ "$(head -c 2 "$file")" != '#!' ]; then chmod a-x "$file"; fi
done
find "$APP/dist" -type f -name '*.mjs' -print0 | while IFS= read -r -d '' file; do
  if [ "$(head -c 2 "$file")" = '#!' ]; then chmod 0755 "$file"; fi
done

# --- system integration -----------------------------------------------------------------------
mkdir -p "$PKG/usr/bin" "$PKG/usr/lib/systemd/system" "$PKG/usr/lib/sysusers.d" "$PKG/usr/lib/udev/rules.d" "$PKG/usr/lib/modules-load.d" "$PKG/etc/envirowatch"
ln -s ../lib/envirowatch/bin/envirowatch "$PKG/usr/bin/envirowatch"
# The units, named once here; the maintainer scripts get these lists in place of their #…_UNITS#.
UNITS="envirowatch-agent.service envirowatch-analyzer.service envirowatch-firstboot.service envirowatch-firstboot-i2c.service"
DAEMON_UNITS="envirowatch-agent.service envirowatch-analyzer.service" # started, restarted on upgrade, stopped on removal
ENABLED_UNITS="envirowatch-agent.service envirowatch-firstboot.service" # enabled on the first install
for unit in $UNITS; do install -m 0644 "$REPO/systemd/$unit" "$PKG/usr/lib/systemd/system/"; done
install -m 0644 "$REPO/packaging/sysusers.conf" "$PKG/usr/lib/sysusers.d/envirowatch.conf"
install -m 0644 "$REPO/packaging/60-envirowatch.rules" "$PKG/usr/lib/udev/rules.d/60-envirowatch.rules"
install -m 0644 "$REPO/packaging/modules-load.conf" "$PKG/usr/lib/modules-load.d/envirowatch.conf"
# Root-only: they hold communities, SNMPv3 and SMTP passwords and password hashes (the units pass
# them to the daemons with LoadCredential=). Conffiles: an upgrade never overwrites an edited one.
install -m 0600 "$REPO/config/image-agent.yaml" "$PKG/etc/envirowatch/agent.yaml"
install -m 0600 "$REPO/config/analyzer.yaml" "$PKG/etc/envirowatch/analyzer.yaml"

# --- documentation: copyright, changelog, lintian overrides -------------------------------------
DOC="$PKG/usr/share/doc/envirowatch"
mkdir -p "$DOC" "$PKG/usr/share/lintian/overrides"
# Reproducible: the date of the last commit (or SOURCE_DATE_EPOCH), not the build's.
EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}"
# The Maintainer field: DEBFULLNAME and DEBEMAIL as dch reads them, else the last commit's author.
MAINTAINER_NAME="${DEBFULLNAME:-$(git -C "$REPO" log -1 --format=%an 2>/dev/null || true)}"
MAINTAINER_EMAIL="${DEBEMAIL:-$(git -C "$REPO" log -1 --format=%ae 2>/dev/null || true)}"
[ -n "$MAINTAINER_NAME" ] && [ -n "$MAINTAINER_EMAIL" ] || fail "not a git checkout: set DEBFULLNAME and DEBEMAIL (the package's Maintainer)"
MAINTAINER="$MAINTAINER_NAME <$MAINTAINER_EMAIL>"
printf 'envirowatch (%s) unstable; urgency=medium\n\n  * envirowatch %s; the changes are in the repository'"'"'s history.\n\n -- %s  %s\n' \
  "$VERSION" "$VERSION" "$MAINTAINER" "$(date -R -u -d "@$EPOCH")" | gzip -9n > "$DOC/changelog.gz"
node "$REPO/packaging/copyright.mjs" "$APP/node_modules" > "$DOC/copyright"
install -m 0644 "$REPO/packaging/lintian-overrides" "$PKG/usr/share/lintian/overrides/envirowatch"

# --- control ------------------------------------------------------------------------------------
mkdir -p "$PKG/DEBIAN"
for script in preinst postinst prerm postrm; do
  sed -e "s/#VERSION#/$VERSION/" -e "s/#UNITS#/$UNITS/" -e "s/#DAEMON_UNITS#/$DAEMON_UNITS/" -e "s/#ENABLED_UNITS#/$ENABLED_UNITS/" \
    "$REPO/packaging/debian/$script" > "$PKG/DEBIAN/$script"
  ! grep -n '#[A-Z_]*#' "$PKG/DEBIAN/$script" || fail "packaging/debian/$script: a token build-deb.sh does not replace"
  chmod 0755 "$PKG/DEBIAN/$script"
done
printf '/etc/envirowatch/agent.yaml\n/etc/envirowatch/analyzer.yaml\n' > "$PKG/DEBIAN/conffiles"
# arm64: bookworm's libgpiod for node-libgpiod (above); trixie has no libgpiod2, hence not Depends.
recommends=""
if [ "$ARCH" = arm64 ]; then recommends="Recommends: libgpiod2"$'\n'; fi
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: envirowatch
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
Depends: nodejs (>= 20), libc6 (>= 2.36), libstdc++6 (>= 12), systemd, init-system-helpers (>= 1.52)
${recommends}Section: net
Priority: optional
Description: networked environment sensor for server rooms, and its log analyzer
 A Raspberry Pi with a Pimoroni Enviro board (BME280, LTR-559, LCD or OLED)
 reports temperature, humidity, pressure and light over SNMP (its own agent,
 or an AgentX subagent of snmpd), syslog and its display
 (envirowatch-agent.service, enabled on installation).
 .
 The same package holds the central analyzer (envirowatch-analyzer.service,
 not enabled on installation): it receives the sensors' syslog, applies rules,
 keeps alerts and learned baselines in SQLite, sends notifications and serves a
 web page.
CONTROL

DEB="$OUT/envirowatch_${VERSION}_$ARCH.deb"
find "$PKG" -exec touch -h -d "@$EPOCH" {} +
SOURCE_DATE_EPOCH="$EPOCH" dpkg-deb --root-owner-group -Zxz --build "$PKG" "$DEB" >/dev/null
say "built $DEB ($(du -h "$DEB" | cut -f1), installed $(du -sh --exclude=DEBIAN "$PKG" | cut -f1))"
if [ "$LINTIAN" = 1 ]; then
  # --fail-on warning: an unexplained warning fails the build; each override says why it stays.
  lintian --fail-on error,warning --display-level '>=warning' "$DEB" || fail "lintian found tags in $DEB (above)"
  say "lintian: no errors or warnings beyond packaging/lintian-overrides"
fi
