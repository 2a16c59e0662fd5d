import { access, constants } from 'node:fs/promises';
import { DisplayHardwareError, errnoCode, messageOf } from './hardware-error.js';

/** One output line (the ST7735's DC or backlight), as the drivers need it. */
export interface GpioLine {
  /** For messages, e.g. `gpiochip0 line 9`. */
  readonly name: string;
  set(high: boolean): void;
  release(): void;
}

/** The part of node-libgpiod (libgpiod 1.x bindings) used here; the package has no bundled types for NodeNext. */
interface LibgpiodModule {
  Chip: new (chip: number) => { readonly numberOfLines: number };
  Line: new (
    chip: unknown,
    offset: number,
  ) => {
    requestOutputMode(consumer?: string, defaultValue?: 0 | 1): void;
    setValue(value: 0 | 1): void;
    release(): void;
  };
}

/** Module name in a variable: the package is optional and not installed everywhere, so TypeScript must not resolve it. */
const LIBGPIOD_MODULE = 'node-libgpiod';

async function loadLibgpiod(): Promise<LibgpiodModule> {
  try {
    const loaded = (await import(LIBGPIOD_MODULE)) as { default?: LibgpiodModule } & Partial<LibgpiodModule>;
    return loaded.default ?? (loaded as LibgpiodModule);
  } catch (error) {
    throw new DisplayHardwareError(
      `the node-libgpiod native module is not available (${messageOf(error)}); install the libgpiod-dev package (Debian: apt-get install libgpiod-dev build-essential) and reinstall, or use --simulate`,
      undefined,
      { cause: error },
    );
  }
}

/**
 * Requests an output line on `/dev/gpiochip<chip>` through the kernel's GPIO character device
 * (sysfs GPIO is gone on current Raspberry Pi OS), via node-libgpiod, loaded lazily like
 * i2c-bus. The line stays requested, so no other process can drive it, until `release`.
 */
/**
 * Every node-libgpiod Chip and Line ever made, kept for the life of the process. In libgpiod 1.x a
 * line belongs to its chip: the Chip's finalizer closes the chip and frees its lines, and the
 * Line's finalizer then releases freed memory, so garbage collection of a Chip that only a Line
 * pointed to kills the process (SIGSEGV). There are two lines at most: they are never collected.
 * node-libgpiod also keeps objects whose native open failed, and their finalizers crash on the
 * NULL handle (seen on the SD image in QEMU, ~20 s after line 9 of a smaller chip was asked
 * for): so the device and the line number are checked before anything is constructed.
 */
const NEVER_COLLECTED: unknown[] = [];

export async function openGpioOutput(options: { chip: number; line: number; consumer: string; initial: boolean }): Promise<GpioLine> {
  const gpiod = await loadLibgpiod();
  const name = `gpiochip${options.chip} line ${options.line}`;
  try {
    await access(`/dev/gpiochip${options.chip}`, constants.R_OK | constants.W_OK);
    const chip = new gpiod.Chip(options.chip);
    NEVER_COLLECTED.push(chip);
    if (options.line >= chip.numberOfLines) throw new Error(`gpiochip${options.chip} has only ${chip.numberOfLines} lines`);
    const line = new gpiod.Line(chip, options.line);
    NEVER_COLLECTED.push(line);
    line.requestOutputMode(options.consumer, options.initial ? 1 : 0);
    return {
      name,
      set: (high) => line.setValue(high ? 1 : 0),
      release: () => line.release(),
    };
  } catch (error) {
    const code = errnoCode(error);
    const hint = code === 'EBUSY' ? ' (another process holds it)' : code === 'EACCES' ? ' (is the user in group gpio?)' : '';
    throw new DisplayHardwareError(`cannot request ${name} as output: ${messageOf(error)}${hint}`, code, { cause: error });
  }
}
