/**
 * `i2c.bus: auto` finds the GPIO header bus by its device-tree node on fake sysfs trees that
 * number the buses as Debian's kernel does on each board (see test/helpers/fake-sysfs.ts for
 * the DTS files and driver lines they are taken from).
 */
import { describe, expect, it } from 'vitest';
import { I2cError } from '../../../src/common/errors.js';
import { chooseI2cBus, describeAdapters, listI2cAdapters } from '../../../src/agent/i2c/header-bus.js';
import { FakeSysfs, PI3_ADAPTERS, PI4_ADAPTERS, PI4_DDC_ADAPTERS } from '../../helpers/fake-sysfs.js';

describe('listI2cAdapters', () => {
  it('lists adapters with name and device-tree node, by number, without the clients', async () => {
    const sysfs = await FakeSysfs.create(PI4_ADAPTERS);
    const adapters = await listI2cAdapters(sysfs.root);
    expect(adapters.map((a) => [a.number, a.name, a.node])).toEqual([
      [0, 'fef04500.i2c', 'i2c@7ef04500'],
      [1, 'fef09500.i2c', 'i2c@7ef09500'],
      [2, 'bcm2835 (i2c@7e205000)', 'i2c@7e205000'],
      [3, 'bcm2835 (i2c@7e804000)', 'i2c@7e804000'],
      [4, 'i2c-2-mux (chan_id 0)', 'i2c@0'],
      [5, 'i2c-2-mux (chan_id 1)', 'i2c@1'],
    ]);
    expect(describeAdapters(adapters.slice(0, 4))).toBe(
      'i2c-0 fef04500.i2c [i2c@7ef04500]; i2c-1 fef09500.i2c [i2c@7ef09500]; i2c-2 bcm2835 (i2c@7e205000); i2c-3 bcm2835 (i2c@7e804000)',
    );
  });

  it('finds none on a machine without an I²C core (QEMU virt)', async () => {
    const sysfs = await FakeSysfs.create();
    expect(await listI2cAdapters(`${sysfs.root}/nonexistent`)).toEqual([]);
    expect(describeAdapters([])).toBe('none');
  });
});

describe('chooseI2cBus', () => {
  it.each([
    ['Pi 3 B / 3 B+ / Zero 2 W', PI3_ADAPTERS, 1],
    ['Pi 4 B / 400', PI4_ADAPTERS, 3],
  ])('auto on a %s takes the header bus i2c@7e804000', async (_board, adapters, expected) => {
    const sysfs = await FakeSysfs.create(adapters);
    const choice = await chooseI2cBus('auto', sysfs.root);
    expect(choice.number).toBe(expected);
    expect(choice.reason).toBe('the GPIO header bus: bcm2835 (i2c@7e804000), device-tree node i2c@7e804000 (i2c.bus: auto)');
  });

  it('a configured number is used as given, whatever the board', async () => {
    const sysfs = await FakeSysfs.create(PI4_ADAPTERS);
    expect(await chooseI2cBus(1, sysfs.root)).toEqual({ number: 1, reason: 'i2c.bus: 1 in the config', adapters: [] });
  });

  it('no header bus (Pi 4 before i2c-bcm2835 is loaded): an I2cError naming the key and every bus seen with its controller', async () => {
    const sysfs = await FakeSysfs.create(PI4_DDC_ADAPTERS);
    const error = await chooseI2cBus('auto', sysfs.root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(I2cError);
    expect((error as I2cError).message).toBe(
      'i2c.bus: auto found no GPIO header bus (device-tree node i2c@7e804000); I²C buses seen: ' +
        'i2c-0 fef04500.i2c [i2c@7ef04500]; i2c-1 fef09500.i2c [i2c@7ef09500]. Is i2c-bcm2835 loaded? Or set i2c.bus to a number',
    );
  });
});
