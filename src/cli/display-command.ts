import { writeFile } from 'node:fs/promises';
import { loadAgentConfig } from '../agent/config/load.js';
import { resolveAgentConfig } from '../agent/config/resolve.js';
import { frameToPng } from '../agent/display/png.js';
import type { RenderTarget } from '../agent/display/render.js';
import { renderScreen } from '../agent/display/render.js';
import { sampleScreen, type SampleName } from '../agent/display/samples.js';
import { reportConfigError } from './agent-commands.js';

/** Each display pixel is drawn as a block of this many PNG pixels a side, so an 80-pixel-high screen is viewable. */
const PNG_SCALE = 4;

/** The frame size a display type draws: the LCD is 160x80 on its side (rotation 90/270), else 80x160. */
function targetFor(type: 'st7735' | 'ssd1306', rotation: number): RenderTarget {
  if (type === 'ssd1306') return { format: 'mono', width: 128, height: 64 };
  return rotation % 180 === 90 ? { format: 'rgb565', width: 160, height: 80 } : { format: 'rgb565', width: 80, height: 160 };
}

/** `envirowatch display --png FILE`: one sample screen, as the configured display would show it. */
export async function runDisplayCommand(options: { config?: string; png: string; type?: 'st7735' | 'ssd1306'; sample: SampleName }): Promise<number> {
  let config;
  try {
    config = resolveAgentConfig((await loadAgentConfig(options.config)).config);
  } catch (error) {
    return reportConfigError(error);
  }
  const { display } = config.config;
  const type = options.type ?? (display.type === 'none' ? 'st7735' : display.type);
  const frame = renderScreen(sampleScreen(options.sample, config), targetFor(type, display.st7735.rotation));
  try {
    await writeFile(options.png, await frameToPng(frame, PNG_SCALE));
  } catch (error) {
    process.stderr.write(`cannot write ${options.png}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `${options.png}: ${type} ${frame.width}x${frame.height}, drawn ${PNG_SCALE}x as ${frame.width * PNG_SCALE}x${frame.height * PNG_SCALE} pixels, sample ${options.sample}\n`,
  );
  return 0;
}
