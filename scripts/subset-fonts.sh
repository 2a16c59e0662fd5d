#!/usr/bin/env bash
# Regenerates assets/fonts/: DejaVu Sans and DejaVu Sans Bold from the dejavu-fonts-ttf package,
# cut down to printable ASCII and the degree sign (all the display ever draws). Why: opentype.js
# parses a whole font into the JS heap; the full faces cost the agent ~14 MB, the subsets ~0.4 MB.
# Needs pyftsubset (Debian: apt-get install fonttools) and npm ci (for the package).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pyftsubset >/dev/null || { echo "pyftsubset not found: apt-get install fonttools" >&2; exit 1; }
source_dir=node_modules/dejavu-fonts-ttf/ttf
[ -d "$source_dir" ] || { echo "$source_dir not found: run npm ci first" >&2; exit 1; }
mkdir -p assets/fonts
for face in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$source_dir/$face.ttf" --unicodes='U+0020-007E,U+00B0' --layout-features=kern \
    --no-hinting --desubroutinize --output-file="assets/fonts/$face-subset.ttf"
done
cp node_modules/dejavu-fonts-ttf/LICENSE assets/fonts/LICENSE
echo "wrote $(ls assets/fonts)"
