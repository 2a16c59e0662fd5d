/**
 * Every `DeviceAllow=char-NAME` in our units names a group the image's kernel lists in
 * /proc/devices. systemd resolves `char-NAME` against /proc/devices when the unit starts and
 * silently allows nothing for a name that is not there, so under `DevicePolicy=closed` the open
 * fails with EPERM. The names come from test/fixtures/linux-char-device-groups.txt, read from
 * Debian trixie's linux-source-6.12 6.12.117-1 (the source of linux-image-6.12.117+deb13-arm64):
 * drivers/spi/spidev.c:857 `register_chrdev(SPIDEV_MAJOR, "spi", …)`, drivers/i2c/i2c-dev.c:766
 * `register_chrdev_region(…, "i2c")`, drivers/gpio/gpiolib.c:5000 `alloc_chrdev_region(…,
 * GPIOCHIP_NAME)` with gpiolib.h:21 `GPIOCHIP_NAME "gpiochip"`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const UNIT_DIRS = ['systemd', 'image-build/overlay/etc/systemd/system'];

async function kernelCharGroups(): Promise<Set<string>> {
  const text = await readFile(join(repo, 'test/fixtures/linux-char-device-groups.txt'), 'utf8');
  const names = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/)[0]!);
  return new Set(names);
}

/** `unit: specifier` for every DeviceAllow= line of every .service file in the unit folders. */
async function deviceAllowEntries(): Promise<{ unit: string; specifier: string }[]> {
  const entries: { unit: string; specifier: string }[] = [];
  for (const dir of UNIT_DIRS) {
    for (const file of (await readdir(join(repo, dir))).filter((name) => name.endsWith('.service'))) {
      const text = await readFile(join(repo, dir, file), 'utf8');
      for (const match of text.matchAll(/^DeviceAllow=(\S+)/gm)) entries.push({ unit: `${dir}/${file}`, specifier: match[1]! });
    }
  }
  return entries;
}

describe('DeviceAllow= in the units', () => {
  it('the fixture lists the three groups the agent needs', async () => {
    expect([...(await kernelCharGroups())].sort()).toEqual(['gpiochip', 'i2c', 'spi']);
  });

  it('the agent allows I²C, SPI and GPIO', async () => {
    const agent = (await deviceAllowEntries()).filter((entry) => entry.unit === 'systemd/envirowatch-agent.service').map((entry) => entry.specifier);
    expect(agent.sort()).toEqual(['char-gpiochip', 'char-i2c', 'char-spi']);
  });

  it('every char-NAME is a group the kernel registers in /proc/devices', async () => {
    const groups = await kernelCharGroups();
    const unknown = (await deviceAllowEntries()).filter(({ specifier }) => !(specifier.startsWith('char-') && groups.has(specifier.slice('char-'.length))));
    expect(unknown).toEqual([]);
  });
});
