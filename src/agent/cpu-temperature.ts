import { readFile } from 'node:fs/promises';

/** Where the agent gets the Pi's CPU temperature for the heat correction. */
export interface CpuTemperatureSource {
  /** Degrees Celsius; rejects when it cannot be read. */
  read(): Promise<number>;
}

/** The kernel's thermal zone file, which holds millidegrees Celsius ("48312\n"). */
export class SysfsCpuTemperature implements CpuTemperatureSource {
  constructor(readonly path: string) {}

  async read(): Promise<number> {
    const text = await readFile(this.path, 'utf8');
    const milli = Number.parseInt(text.trim(), 10);
    if (!Number.isFinite(milli)) throw new Error(`${this.path}: not a temperature: ${JSON.stringify(text.slice(0, 20))}`);
    return milli / 1000;
  }
}
