/**
 * The display's typeface: DejaVu Sans (regular and bold) from the `dejavu-fonts-ttf` package,
 * drawn by pureimage's TrueType rasteriser. Registered once per process, on first use.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerFont } from 'pureimage';

export const FONT_REGULAR = 'DejaVuSans';
export const FONT_BOLD = 'DejaVuSansBold';

let registered = false;

export function ensureFonts(): void {
  if (registered) return;
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  // Distinct family names: pureimage keys fonts by family and ignores the weight in `ctx.font`.
  registerFont(join(dir, 'DejaVuSans.ttf'), FONT_REGULAR).loadSync();
  registerFont(join(dir, 'DejaVuSans-Bold.ttf'), FONT_BOLD).loadSync();
  registered = true;
}
