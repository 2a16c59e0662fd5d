/**
 * image-build/mkimg.sh on a small fake root filesystem: the image has the MBR layout the Pi's
 * firmware and Debian's raspi-firmware expect (FAT32 RASPIFIRM at 4 MiB, ext4 RASPIROOT at
 * 260 MiB), read back with sfdisk, mtools and debugfs; the root filesystem directory is left as
 * it was.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MKIMG = fileURLToPath(new URL('../image-build/mkimg.sh', import.meta.url));

describe('image-build/mkimg.sh', () => {
  it('builds boot and root partitions from a root filesystem, without mounts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-mkimg-'));
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'boot/firmware/overlays'), { recursive: true });
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await writeFile(join(rootfs, 'boot/firmware/config.txt'), 'arm_64bit=1\nupstream_kernel=1\n');
    await writeFile(join(rootfs, 'boot/firmware/cmdline.txt'), 'root=LABEL=RASPIROOT rw rootwait\n');
    await writeFile(join(rootfs, 'boot/firmware/overlays/pi4-spidev.dtbo'), Buffer.alloc(1024, 7));
    await writeFile(join(rootfs, 'etc/hostname'), 'envirowatch\n');
    const image = join(dir, 'test.img');
    const { stdout } = await run(MKIMG, [rootfs, image, '400']);
    expect(stdout).toContain('mkimg.sh: ');

    const table = JSON.parse((await run('sfdisk', ['--json', image])).stdout) as {
      partitiontable: { label: string; partitions: { start: number; size: number; type: string }[] };
    };
    expect(table.partitiontable.label).toBe('dos');
    expect(table.partitiontable.partitions.map((p) => [p.start, p.type])).toEqual([
      [8192, 'c'],
      [532480, '83'],
    ]);
    expect(table.partitiontable.partitions[0]!.size).toBe(524288);

    // The FAT partition holds /boot/firmware's files.
    const fat = `${image}@@4M`;
    expect((await run('mtype', ['-i', fat, '::/config.txt'])).stdout).toBe('arm_64bit=1\nupstream_kernel=1\n');
    expect((await run('mdir', ['-b', '-i', fat, '::/overlays'])).stdout).toContain('pi4-spidev.dtbo');
    expect((await run('mlabel', ['-s', '-i', fat, '::'])).stdout).toContain('RASPIFIRM');

    // The ext4 partition holds the rest, with an empty /boot/firmware as mount point.
    const ext4 = `${image}?offset=${260 * 1024 * 1024}`;
    expect((await run('debugfs', ['-R', 'cat /etc/hostname', ext4])).stdout).toBe('envirowatch\n');
    expect((await run('debugfs', ['-R', 'ls /boot/firmware', ext4])).stdout).not.toContain('config.txt');
    expect((await run('dumpe2fs', ['-h', ext4])).stdout).toMatch(/Filesystem volume name:\s+RASPIROOT/);

    // The root filesystem directory is as it was.
    expect((await readdir(join(rootfs, 'boot/firmware'))).sort()).toEqual(['cmdline.txt', 'config.txt', 'overlays']);
  });

  it('says which package is missing, or what is wrong with the root filesystem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-mkimg-'));
    const failed = await run(MKIMG, [dir, join(dir, 'x.img')]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('boot/firmware does not exist') });
  });
});
