import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { I2cError } from '../../common/errors.js';

/**
 * Finding the GPIO header's I²C bus (pins 3/5) by its controller rather than by number.
 *
 * Linux numbers adapters without an `i2c` device-tree alias in registration order
 * (drivers/i2c/i2c-core-base.c, `i2c_add_adapter` → `idr_alloc` from 0), and the Pi DTBs have no
 * such aliases. On Pi 3 / Zero 2 W both buses are bcm2835 controllers, so the header's
 * `i2c@7e804000` is i2c-1. On Pi 4 / 400 / CM4, Debian's kernel has the HDMI DDC controllers
 * (`i2c@7ef04500`, `i2c@7ef09500`, i2c-brcmstb, CONFIG_I2C_BRCMSTB=y) built in and the bcm2835
 * driver as a module (CONFIG_I2C_BCM2835=m), so the DDC buses take 0 and 1 and the header bus a
 * later number. The device-tree node name is the same on every board.
 */
export const HEADER_BUS_NODE = 'i2c@7e804000';

/** One adapter as sysfs shows it. */
export interface I2cAdapterInfo {
  /** N of /dev/i2c-N. */
  readonly number: number;
  /** The driver's adapter name, e.g. `bcm2835 (i2c@7e804000)` or `fef04500.i2c` (i2c-brcmstb). */
  readonly name: string;
  /** Device-tree node the adapter belongs to (basename of `of_node`), when it has one. */
  readonly node?: string | undefined;
}

/** Which bus the agent uses, and why, for the log and `envirowatch read`. */
export interface I2cBusChoice {
  readonly number: number;
  readonly reason: string;
  /** Every adapter seen when choosing (empty for a configured number). */
  readonly adapters: readonly I2cAdapterInfo[];
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The adapters in `<sysfsRoot>/bus/i2c/devices` (clients such as `1-0076` skipped), by number. */
export async function listI2cAdapters(sysfsRoot: string): Promise<I2cAdapterInfo[]> {
  const devices = join(sysfsRoot, 'bus/i2c/devices');
  let entries: string[];
  try {
    entries = await readdir(devices);
  } catch {
    return []; // no I²C core at all (e.g. QEMU virt): no adapters
  }
  const adapters: I2cAdapterInfo[] = [];
  for (const entry of entries) {
    const match = /^i2c-(\d+)$/.exec(entry);
    if (!match) continue;
    const ofNode = await realpath(join(devices, entry, 'of_node')).catch(() => undefined);
    adapters.push({ number: Number(match[1]), name: (await readTrimmed(join(devices, entry, 'name'))) ?? '?', node: ofNode && basename(ofNode) });
  }
  return adapters.sort((a, b) => a.number - b.number);
}

/** `i2c-0 fef04500.i2c; i2c-3 bcm2835 (i2c@7e804000)`, or `none` when the list is empty. */
export function describeAdapters(adapters: readonly I2cAdapterInfo[]): string {
  if (adapters.length === 0) return 'none';
  return adapters.map((a) => `i2c-${a.number} ${a.name}${a.node && !a.name.includes(a.node) ? ` [${a.node}]` : ''}`).join('; ');
}

/**
 * Resolves `i2c.bus`: a number is used as given; `auto` is the adapter whose device-tree node is
 * the header's controller. Rejects with an I2cError listing the buses seen when there is none
 * (no Pi, or i2c-bcm2835 not loaded yet: the long-running agent asks again later).
 */
export async function chooseI2cBus(setting: number | 'auto', sysfsRoot: string): Promise<I2cBusChoice> {
  return chooseI2cBusAmong(setting, setting === 'auto' ? await listI2cAdapters(sysfsRoot) : []);
}

/** `chooseI2cBus` on adapters already listed (`adapters` are only read for `auto`). */
export function chooseI2cBusAmong(setting: number | 'auto', adapters: readonly I2cAdapterInfo[]): I2cBusChoice {
  if (setting !== 'auto') return { number: setting, reason: `i2c.bus: ${setting} in the config`, adapters: [] };
  const header = adapters.find((adapter) => adapter.node === HEADER_BUS_NODE);
  if (!header) {
    throw new I2cError(
      `i2c.bus: auto found no GPIO header bus (device-tree node ${HEADER_BUS_NODE}); I²C buses seen: ${describeAdapters(adapters)}. ` +
        'Is i2c-bcm2835 loaded? Or set i2c.bus to a number',
      'auto',
      0,
      undefined,
      'ENODEV',
    );
  }
  return { number: header.number, reason: `the GPIO header bus: ${header.name}, device-tree node ${HEADER_BUS_NODE} (i2c.bus: auto)`, adapters };
}
