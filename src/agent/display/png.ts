import { PassThrough } from 'node:stream';
import { pureimage } from './pureimage.js';
import { monoPixel, type Frame } from './framebuffer.js';

/** An OLED's lit pixels are drawn in this colour (a typical white-blue SSD1306 module). */
const OLED_LIT = [200, 230, 255] as const;

/** The frame as a PNG, each pixel drawn as a `scale`×`scale` block so a 160x80 screen is viewable. */
export async function frameToPng(frame: Frame, scale = 4): Promise<Buffer> {
  const bitmap = pureimage.make(frame.width * scale, frame.height * scale);
  const { data } = bitmap;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      let rgb: readonly [number, number, number];
      if (frame.kind === 'rgb565') {
        const p = frame.pixels[y * frame.width + x]!;
        // RGB565 → RGB888, replicating the high bits into the low ones.
        const r = (p >> 11) & 0x1f;
        const g = (p >> 5) & 0x3f;
        const b = p & 0x1f;
        rgb = [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)];
      } else {
        rgb = monoPixel(frame, x, y) ? OLED_LIT : [0, 0, 0];
      }
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = ((y * scale + dy) * bitmap.width + x * scale + dx) * 4;
          data[i] = rgb[0];
          data[i + 1] = rgb[1];
          data[i + 2] = rgb[2];
          data[i + 3] = 255;
        }
      }
    }
  }
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await pureimage.encodePNGToStream(bitmap, sink);
  return Buffer.concat(chunks);
}
