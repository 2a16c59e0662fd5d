import type { Frame } from './framebuffer.js';

/** Bytes and bus transactions one `show` sent (counted by the driver, checked by emulators). */
export interface TransferStats {
  readonly bytes: number;
  readonly transactions: number;
}

/**
 * A display controller behind the narrow interface the display service uses. Implementations:
 * ST7735 over SPI + GPIO, SSD1306 over I²C; each tested against its register-level emulator.
 */
export interface DisplayDriver {
  readonly width: number;
  readonly height: number;
  readonly format: Frame['kind'];
  /** Reset and initialise the controller; called again to recover after a failure. */
  open(): Promise<void>;
  /** Send what differs from the last frame sent (the whole frame after `open`). */
  show(frame: Frame): Promise<TransferStats>;
  close(): Promise<void>;
}
