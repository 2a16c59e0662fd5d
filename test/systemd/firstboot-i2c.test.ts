/**
 * How the I²C lines reach the first-boot log: envirowatch-firstboot.service runs before udev has
 * loaded the bus drivers, so it queues envirowatch-firstboot-i2c.service, which runs after the
 * agent is ready and never holds the agent (or the boot) up. Read from the unit files as systemd
 * reads them: `Key=value` lines per section, a key given twice keeps both (systemd.syntax(7)).
 * `test/systemd/units.test.ts` runs `systemd-analyze verify` on both.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Unit = Record<string, Record<string, string[]>>;

async function unit(name: string): Promise<Unit> {
  const text = await readFile(fileURLToPath(new URL(`../../systemd/${name}`, import.meta.url)), 'utf8');
  const sections: Unit = {};
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) sections[(section = header[1]!)] = {};
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (setting) (sections[section]![setting[1]!] ??= []).push(setting[2]!);
  }
  return sections;
}

const words = (values: readonly string[] | undefined) => (values ?? []).flatMap((value) => value.split(/\s+/));

describe('envirowatch-firstboot-i2c.service', () => {
  it('is started by envirowatch-firstboot.service without waiting for it, and by nothing else', async () => {
    const firstboot = await unit('envirowatch-firstboot.service');
    expect(firstboot['Service']!['ExecStartPost']).toContain('-/bin/systemctl --no-block start envirowatch-firstboot-i2c.service');
    const report = await unit('envirowatch-firstboot-i2c.service');
    expect(report['Install']).toBeUndefined(); // not in any target: only in boots that have a first-boot log
  });

  it('runs after the agent is ready and the boot partition is mounted; the agent does not wait for it', async () => {
    const report = await unit('envirowatch-firstboot-i2c.service');
    expect(words(report['Unit']!['After'])).toEqual(expect.arrayContaining(['envirowatch-agent.service', 'envirowatch-firstboot.service']));
    expect(report['Unit']!['RequiresMountsFor']).toEqual(['/boot/firmware']);
    for (const name of ['envirowatch-agent.service', 'envirowatch-firstboot.service']) {
      const other = await unit(name);
      for (const key of ['After', 'Requires', 'Wants', 'BindsTo']) expect(words(other['Unit']![key])).not.toContain('envirowatch-firstboot-i2c.service');
    }
  });

  it('waits (bounded) for udev to load the bus drivers, then appends the I²C lines to the log on the boot partition, as root', async () => {
    const service = (await unit('envirowatch-firstboot-i2c.service'))['Service']!;
    expect(service['Type']).toEqual(['oneshot']);
    expect(service['ExecStartPre']).toEqual(['-/usr/bin/udevadm settle --timeout=30']);
    expect(service['ExecStart']).toEqual(['/usr/lib/envirowatch/bin/envirowatch firstboot --i2c --boot /boot/firmware --root /']);
    expect(service['ReadWritePaths']).toEqual(['/boot/firmware']);
    expect(service['ProtectSystem']).toEqual(['strict']);
    expect(service['DynamicUser']).toBeUndefined(); // /dev/i2c-N and the FAT partition are root's
    expect(service['User']).toBeUndefined();
  });
});
