/**
 * The I²C lines of the first-boot log (`envirowatch firstboot --i2c`, run by
 * envirowatch-firstboot-i2c.service): on fake sysfs trees numbered as Debian's kernel numbers each
 * board (test/helpers/fake-sysfs.ts), with the bus opener replaced by emulated buses, the Enviro
 * board's chips only where the test puts them. A user reading the log must be able to tell "wrong
 * bus" from "no board": the bus and why, each sensor's answer, and when none answers every bus seen.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/clock.js';
import { I2cError } from '../../src/common/errors.js';
import { EmulatedI2cBus } from '../../src/agent/i2c/emulated-bus.js';
import { SimulatedBoard } from '../../src/agent/simulation/board.js';
import { LOG_FILE } from '../../src/firstboot/apply.js';
import { reportI2c } from '../../src/firstboot/i2c-report.js';
import { cli } from '../helpers/analyzer-process.js';
import { FakeSysfs, PI3_ADAPTERS, PI4_ADAPTERS, PI4_DDC_ADAPTERS, type FakeAdapter } from '../helpers/fake-sysfs.js';

const STAMP = '2026-12-04T10:00:00.000Z';
const PI4_BUSES_SEEN =
  'I²C buses seen: i2c-0 fef04500.i2c [i2c@7ef04500]; i2c-1 fef09500.i2c [i2c@7ef09500]; i2c-2 bcm2835 (i2c@7e205000); ' +
  'i2c-3 bcm2835 (i2c@7e804000); i2c-4 i2c-2-mux (chan_id 0) [i2c@0]; i2c-5 i2c-2-mux (chan_id 1) [i2c@1]';

/**
 * A card whose log already has the first-boot lines, a root with `agentYaml` as
 * /etc/envirowatch/agent.yaml (none when undefined), and the Enviro board on bus `boardOn`.
 */
async function reportOn(adapters: readonly FakeAdapter[], boardOn: number | undefined, agentYaml?: string, unopenable?: Error) {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-firstboot-i2c-'));
  const boot = join(dir, 'boot');
  const root = join(dir, 'root');
  await mkdir(boot);
  await writeFile(join(boot, LOG_FILE), '2026-12-04T09:59:00.000Z applied; envirowatch.yaml renamed envirowatch-applied.yaml with its secrets removed\n');
  if (agentYaml !== undefined) {
    await mkdir(join(root, 'etc/envirowatch'), { recursive: true });
    await writeFile(join(root, 'etc/envirowatch/agent.yaml'), agentYaml);
  }
  const sysfs = await FakeSysfs.create(adapters);
  const board = new SimulatedBoard({ clock: new ManualClock(), correctionFactor: 2.25 });
  const opened: number[] = [];
  const lines = await reportI2c({
    boot,
    root,
    sysfsRoot: sysfs.root,
    openBus: async (busNumber) => {
      opened.push(busNumber);
      if (unopenable) throw unopenable;
      return busNumber === boardOn ? board.bus : new EmulatedI2cBus(busNumber);
    },
    now: () => new Date(STAMP),
  });
  return { lines, opened, log: await readFile(join(boot, LOG_FILE), 'utf8'), traffic: board.bus.traffic };
}

describe('envirowatch firstboot --i2c', () => {
  it.each([
    ['Pi 3 B / Zero 2 W', PI3_ADAPTERS, 1],
    ['Pi 4 B / 400', PI4_ADAPTERS, 3],
  ])('on a %s with the board on the header: the bus, why, and each sensor answering, appended to the log', async (_board, adapters, header) => {
    const { lines, opened, log, traffic } = await reportOn(adapters, header, 'cpuCorrection:\n  enabled: false\n');
    expect(opened).toEqual([header]);
    expect(lines).toEqual([
      `I²C bus /dev/i2c-${header}: the GPIO header bus: bcm2835 (i2c@7e804000), device-tree node i2c@7e804000 (i2c.bus: auto)`,
      '  BME280 at 0x76: answers, id register 0x60', // BME280 datasheet §5.4.1: chip_id 0x60
      '  LTR-559 at 0x23: answers, id register 0x92', // LTR-559ALS-01 datasheet: PART_ID 0x92
    ]);
    // Appended after what firstboot wrote, each line stamped.
    expect(log.split('\n').slice(1, -1)).toEqual(lines.map((line) => `${STAMP} ${line}`));
    expect(log.startsWith('2026-12-04T09:59:00.000Z applied;')).toBe(true);
    // Two one-byte reads, nothing written: the agent's chip settings are left alone.
    expect(traffic).toMatchObject({ transactions: 2, failed: 0 });
  });

  it('no sensor answers on the header bus (no board): each address tried, then every bus with its controller', async () => {
    const { lines } = await reportOn(PI4_ADAPTERS, undefined);
    expect(lines).toEqual([
      'I²C bus /dev/i2c-3: the GPIO header bus: bcm2835 (i2c@7e804000), device-tree node i2c@7e804000 (i2c.bus: auto)',
      '  BME280 at 0x76: no answer (EREMOTEIO)',
      '  BME280 at 0x77: no answer (EREMOTEIO)',
      '  LTR-559 at 0x23: no answer (EREMOTEIO)',
      `no sensor answers on /dev/i2c-3: the wrong bus, or no sensor board on the GPIO header? ${PI4_BUSES_SEEN}`,
    ]);
  });

  it('a configured bus that is not the header (an HDMI bus on a Pi 4): the sensors there do not answer, and the list shows where the header is', async () => {
    const { lines, opened } = await reportOn(PI4_ADAPTERS, 3, 'i2c:\n  bus: 1\nsensors:\n  ltr559:\n    enabled: false\n');
    expect(opened).toEqual([1]);
    expect(lines).toEqual([
      'I²C bus /dev/i2c-1: i2c.bus: 1 in the config',
      '  BME280 at 0x76: no answer (EREMOTEIO)',
      '  BME280 at 0x77: no answer (EREMOTEIO)',
      `no sensor answers on /dev/i2c-1: the wrong bus, or no sensor board on the GPIO header? ${PI4_BUSES_SEEN}`,
    ]);
  });

  it('no header bus yet (Pi 4, i2c-bcm2835 not loaded): says so and lists the buses there are', async () => {
    const { lines, opened } = await reportOn(PI4_DDC_ADAPTERS, undefined);
    expect(opened).toEqual([]);
    expect(lines).toEqual([
      'I²C: i2c.bus: auto found no GPIO header bus (device-tree node i2c@7e804000); I²C buses seen: i2c-0 fef04500.i2c [i2c@7ef04500]; i2c-1 fef09500.i2c [i2c@7ef09500]. Is i2c-bcm2835 loaded? Or set i2c.bus to a number',
    ]);
  });

  it('a header bus that cannot be opened (i2c-dev not loaded): why, and the buses seen', async () => {
    const { lines, opened } = await reportOn(
      PI3_ADAPTERS,
      1,
      undefined,
      new I2cError('cannot open /dev/i2c-1: ENOENT: no such file or directory', 1, 0, undefined, 'ENOENT'),
    );
    expect(opened).toEqual([1]);
    expect(lines).toEqual([
      'I²C: cannot open /dev/i2c-1: ENOENT: no such file or directory; I²C buses seen: i2c-0 bcm2835 (i2c@7e205000); i2c-1 bcm2835 (i2c@7e804000)',
    ]);
  });

  it('an error without an errno name (i2c-bus on QEMU raspi3b: code "", message ", Remote I/O error"): its message instead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-firstboot-i2c-'));
    const sysfs = await FakeSysfs.create(PI3_ADAPTERS);
    const bus = new EmulatedI2cBus(1);
    bus.readByte = async (address, register) => {
      throw new I2cError(`, Remote I/O error at 0x${address.toString(16)} register 0x${register.toString(16)} on /dev/i2c-1`, 1, address, register, '');
    };
    const lines = await reportI2c({ boot: dir, root: dir, sysfsRoot: sysfs.root, openBus: async () => bus });
    expect(lines[1]).toBe('  BME280 at 0x76: no answer (, Remote I/O error at 0x76 register 0xd0 on /dev/i2c-1)');
  });

  it('a BME280 at a configured address, the LTR-559 off: only that address is read', async () => {
    const { lines } = await reportOn(PI3_ADAPTERS, 1, 'sensors:\n  bme280:\n    address: 0x77\n  ltr559:\n    enabled: false\n');
    expect(lines.slice(1)).toEqual([
      '  BME280 at 0x77: no answer (EREMOTEIO)',
      `no sensor answers on /dev/i2c-1: the wrong bus, or no sensor board on the GPIO header? I²C buses seen: i2c-0 bcm2835 (i2c@7e205000); i2c-1 bcm2835 (i2c@7e804000)`,
    ]);
  });

  it('agent settings with a mistake: the log names the key, and nothing is read', async () => {
    const { lines, opened } = await reportOn(PI3_ADAPTERS, 1, 'i2c:\n  bus: header\n');
    expect(opened).toEqual([]);
    expect(lines[0]).toBe('I²C not checked: the agent settings have mistakes:');
    expect(lines[1]).toMatch(/etc\/envirowatch\/agent\.yaml:2: i2c\.bus: found the text "header": must be auto/);
  });

  it('the command appends to the log on --boot (this machine has no header bus: the log says which buses it has)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-firstboot-i2c-cli-'));
    await mkdir(join(dir, 'root'));
    const result = await cli(['firstboot', '--i2c', '--boot', dir, '--root', join(dir, 'root')]);
    expect(result.code).toBe(0);
    const log = await readFile(join(dir, LOG_FILE), 'utf8');
    expect(log).toMatch(/^\S+Z I²C: i2c\.bus: auto found no GPIO header bus .*; I²C buses seen: .+\n$/);
    expect(result.stdout).toBe(log.replace(/^\S+Z /gm, ''));
  });
});
