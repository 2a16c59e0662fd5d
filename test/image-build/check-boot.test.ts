/**
 * image-build/check-boot.sh, which build.sh runs on the built root filesystem's /boot/firmware,
 * on fixture boot directories. The cmdline.txt lines are what raspi-firmware 1.20240424+ds-6's
 * kernel hook (/etc/kernel/postinst.d/z50-raspi-firmware, ll. 234-249) writes with build.sh's
 * settings: `${pre_cmdline} root=$ROOTPART rw fsck.repair=yes net.ifnames=0 $SET_CMA rootwait`,
 * SET_CMA = cma=64M unless it detects a Pi 4 (it cannot in the build chroot) or CMA=0.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHECK_BOOT = fileURLToPath(new URL('../../image-build/check-boot.sh', import.meta.url));

// Both lines exactly as the hook wrote them when run by hand (paths moved into a scratch root,
// its arm64 and mount-point guards bypassed) with build.sh's /etc/default/raspi-firmware.
/** With CMA=0 (build.sh's setting): SET_CMA empty, hence the two spaces. */
const CMDLINE_CMA_0 = ' console=ttyS1,115200 console=tty0 root=LABEL=RASPIROOT rw fsck.repair=yes net.ifnames=0  rootwait \n';
/** Without CMA= (its default 64M) in a chroot, where it cannot tell a Pi 4. */
const CMDLINE_DEFAULT = ' console=ttyS1,115200 console=tty0 root=LABEL=RASPIROOT rw fsck.repair=yes net.ifnames=0 cma=64M rootwait \n';

async function bootDir(cmdline: string, files = ['vmlinuz-6.12.117+deb13-arm64', 'initrd.img-6.12.117+deb13-arm64']): Promise<string> {
  const boot = join(await mkdtemp(join(tmpdir(), 'envirowatch-boot-')), 'firmware');
  await mkdir(boot);
  await writeFile(
    join(boot, 'config.txt'),
    'arm_64bit=1\nenable_uart=1\nupstream_kernel=1\nkernel=vmlinuz-6.12.117+deb13-arm64\ninitramfs initrd.img-6.12.117+deb13-arm64\n',
  );
  await writeFile(join(boot, 'cmdline.txt'), cmdline);
  for (const file of files) await writeFile(join(boot, file), '');
  return boot;
}

async function check(boot: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await run(CHECK_BOOT, [boot])) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('image-build/check-boot.sh', () => {
  it('accepts the boot files build.sh produces (CMA=0: no cma= for any board)', async () => {
    const result = await check(await bootDir(CMDLINE_CMA_0));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('root=LABEL=RASPIROOT');
  });

  it('refuses cma=64M, which can keep a Pi 4 from booting', async () => {
    const result = await check(await bootDir(CMDLINE_DEFAULT));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^check-boot\.sh: cmdline\.txt sets a CMA size, which can keep a Pi 4 from booting: .*cma=64M/);
  });

  it('refuses a root not mounted by label, and a file config.txt names that is missing', async () => {
    expect((await check(await bootDir('console=tty0 root=/dev/mmcblk0p2 rw rootwait\n'))).stderr).toMatch(/does not say root=LABEL=RASPIROOT/);
    expect(await check(await bootDir(CMDLINE_CMA_0, ['vmlinuz-6.12.117+deb13-arm64']))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/config\.txt names initrd\.img-6\.12\.117\+deb13-arm64, which is not in /),
    });
  });
});
