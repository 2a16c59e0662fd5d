import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

/** One I²C adapter as the kernel shows it in sysfs. */
export interface FakeAdapter {
  readonly number: number;
  /** The adapter's `name` file. */
  readonly name: string;
  /** Its device-tree node path, e.g. `/soc/i2c@7e804000` (the target of `of_node`). */
  readonly node: string;
  /** Its platform device, e.g. `fe804000.i2c` (the directory the adapter sits in). */
  readonly device: string;
  /** Client devices found on it, as `N-00AA` entries beside the adapters in /sys/bus/i2c/devices. */
  readonly clients?: readonly number[];
}

/**
 * Adapters in the order a Pi 3 B / 3 B+ / Zero 2 W registers them with Debian trixie's kernel
 * 6.12.117+deb13-arm64: bcm2837-rpi-3-b.dts and bcm2837-rpi-zero-2-w.dts include bcm2835-rpi.dtsi,
 * which enables i2c0 (`i2c@7e205000`) and i2c1 (`i2c@7e804000`, the header), both bound by
 * i2c-bcm2835 in device-tree order; its adapter name is `"bcm2835 (%s)"` with the node's full
 * name (drivers/i2c/busses/i2c-bcm2835.c:472). Platform devices are named by the translated address
 * (bcm2837.dtsi `ranges = <0x7e000000 0x3f000000 …>`).
 */
export const PI3_ADAPTERS: readonly FakeAdapter[] = [
  { number: 0, name: 'bcm2835 (i2c@7e205000)', node: '/soc/i2c@7e205000', device: 'platform/soc/3f205000.i2c' },
  { number: 1, name: 'bcm2835 (i2c@7e804000)', node: '/soc/i2c@7e804000', device: 'platform/soc/3f804000.i2c', clients: [0x23, 0x76] },
];

/**
 * Pi 4 B / 400 (bcm2711-rpi-400.dts includes bcm2711-rpi-4-b.dts), same kernel: the DTS sets the
 * HDMI DDC controllers `ddc0: i2c@7ef04500` and `ddc1: i2c@7ef09500` (bcm2711.dtsi, compatible
 * `brcm,bcm2711-hdmi-i2c`) okay; i2c-brcmstb is built in (CONFIG_I2C_BRCMSTB=y) and names the
 * adapter after its device (i2c-brcmstb.c:689 `dev_name`), so they register first as 0 and 1.
 * i2c-bcm2835 is a module (CONFIG_I2C_BCM2835=m) and binds i2c0 and i2c1 later; i2c-mux-pinctrl
 * (=m) then adds i2c0's two mux channels (bcm2711-rpi.dtsi `i2c0mux`, name "i2c-%d-mux (chan_id
 * %d)", i2c-mux.c:315). No `i2c` aliases, so numbers follow that order (i2c-core-base.c
 * `i2c_add_adapter`); the exact numbers after the DDC pair depend on module load order.
 * `ranges = <0x7e000000 0x0 0xfe000000 …>` (bcm2711.dtsi) gives the platform device names.
 */
export const PI4_DDC_ADAPTERS: readonly FakeAdapter[] = [
  { number: 0, name: 'fef04500.i2c', node: '/soc/i2c@7ef04500', device: 'platform/soc/fef04500.i2c' },
  { number: 1, name: 'fef09500.i2c', node: '/soc/i2c@7ef09500', device: 'platform/soc/fef09500.i2c' },
];
export const PI4_ADAPTERS: readonly FakeAdapter[] = [
  ...PI4_DDC_ADAPTERS,
  { number: 2, name: 'bcm2835 (i2c@7e205000)', node: '/soc/i2c@7e205000', device: 'platform/soc/fe205000.i2c' },
  { number: 3, name: 'bcm2835 (i2c@7e804000)', node: '/soc/i2c@7e804000', device: 'platform/soc/fe804000.i2c', clients: [0x23, 0x76] },
  { number: 4, name: 'i2c-2-mux (chan_id 0)', node: '/i2c-mux0/i2c@0', device: 'platform/i2c-mux0' },
  { number: 5, name: 'i2c-2-mux (chan_id 1)', node: '/i2c-mux0/i2c@1', device: 'platform/i2c-mux0' },
];

/** A sysfs tree with /sys/bus/i2c/devices and /sys/firmware/devicetree laid out as the kernel does. */
export class FakeSysfs {
  private constructor(readonly root: string) {}

  static async create(adapters: readonly FakeAdapter[] = []): Promise<FakeSysfs> {
    const sysfs = new FakeSysfs(await mkdtemp(join(tmpdir(), 'envirowatch-sysfs-')));
    await sysfs.add(adapters);
    return sysfs;
  }

  /** Registers adapters, e.g. when a module loads after the agent started. */
  async add(adapters: readonly FakeAdapter[]): Promise<void> {
    const devices = join(this.root, 'bus/i2c/devices');
    await mkdir(devices, { recursive: true });
    for (const adapter of adapters) {
      const node = join(this.root, 'firmware/devicetree/base', adapter.node);
      const dir = join(this.root, 'devices', adapter.device, `i2c-${adapter.number}`);
      await mkdir(node, { recursive: true });
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'name'), `${adapter.name}\n`);
      await symlink(relative(dir, node), join(dir, 'of_node'));
      await symlink(relative(devices, dir), join(devices, `i2c-${adapter.number}`));
      for (const address of adapter.clients ?? []) {
        const client = join(dir, `${adapter.number}-${address.toString(16).padStart(4, '0')}`);
        await mkdir(client);
        await symlink(relative(devices, client), join(devices, basename(client)));
      }
    }
  }
}
