import { EnvirowatchError } from '../../common/errors.js';

/**
 * A display that could not be opened or driven: a missing native module, a bus or GPIO line
 * that cannot be opened, a failed transfer. The message names the device; `code` is the errno
 * name when the kernel gave one (EIO, ENOENT, EBUSY, EREMOTEIO for an I²C NACK).
 */
export class DisplayHardwareError extends EnvirowatchError {
  override name = 'DisplayHardwareError';
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error's message, first line only: native-module load errors list every path tried. */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!.trim();
}
