/**
 * The contract between the reading loop and a sensor driver.
 *
 * Call order: `init()` once before the first `read()`, and again after any failure (the loop
 * re-initialises a sensor that answers again, so unplug/replug works). `init()` probes, checks
 * the chip id, resets and configures; `read()` performs one measurement. Both reject with
 * `I2cError` (bus trouble) or `SensorError` (chip misbehaves); neither logs. Calls are never
 * concurrent on one driver.
 */
export interface SensorDriver<Measurement> {
  /** Short name for logs and status, e.g. "bme280". */
  readonly name: string;
  init(): Promise<void>;
  read(): Promise<Measurement>;
}
