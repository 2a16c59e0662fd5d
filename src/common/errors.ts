/** Base of every error envirowatch raises on purpose, so callers can tell ours from bugs. */
export class EnvirowatchError extends Error {
  override name = 'EnvirowatchError';
}

/** A configuration file that cannot be used; `issues` lists every problem found at once. */
export class ConfigError extends EnvirowatchError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly file: string | undefined,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(message);
  }
}

export interface ConfigIssue {
  /** Dotted key path, e.g. `thresholds.temperature.high.critical`; empty for the whole file. */
  readonly path: string;
  /** 1-based line in the YAML file, when the key exists in it. */
  readonly line?: number;
  readonly message: string;
}

/** A failed I²C transfer, with where it went, so a log line names the device and register. */
export class I2cError extends EnvirowatchError {
  override name = 'I2cError';
  constructor(
    message: string,
    readonly bus: number | string,
    readonly address: number,
    readonly register: number | undefined,
    /** errno name when the kernel gave one, e.g. EREMOTEIO for a NACK, EIO, ENXIO. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A chip that answered but is not what the driver expects, or misbehaves (stuck busy bit). */
export class SensorError extends EnvirowatchError {
  override name = 'SensorError';
}

export function hex(value: number, digits = 2): string {
  return `0x${value.toString(16).padStart(digits, '0').toUpperCase()}`;
}
