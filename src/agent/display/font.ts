/**
 * The display's typeface: DejaVu Sans regular and bold, drawn by pureimage's TrueType rasteriser.
 * The files in assets/fonts/ are the `dejavu-fonts-ttf` package's faces cut down to ASCII and
 * the degree sign by scripts/subset-fonts.sh: opentype.js keeps a whole parsed font in the heap,
 * ~14 MB for the two full faces against ~0.4 MB for the subsets. Registered once, on first use.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pureimage } from './pureimage.js';

export const FONT_REGULAR = 'DejaVuSans';
export const FONT_BOLD = 'DejaVuSansBold';

let registered = false;

/** assets/fonts of the installed package, found upwards from this module (dist/src/... or a bundle chunk). */
function fontDirectory(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'assets', 'fonts');
    if (existsSync(join(candidate, 'DejaVuSans-subset.ttf'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`assets/fonts/DejaVuSans-subset.ttf not found above ${fileURLToPath(import.meta.url)}`);
  }
}

export function ensureFonts(): void {
  if (registered) return;
  const dir = fontDirectory();
  // Distinct family names: pureimage keys fonts by family and ignores the weight in `ctx.font`.
  pureimage.registerFont(join(dir, 'DejaVuSans-subset.ttf'), FONT_REGULAR).loadSync();
  pureimage.registerFont(join(dir, 'DejaVuSans-Bold-subset.ttf'), FONT_BOLD).loadSync();
  registered = true;
}
