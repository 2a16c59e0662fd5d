/**
 * image-build/install.sh: what it still does beside installing the Debian package (that part is
 * test/packaging/build-deb.test.ts): the board's SPI overlay on Debian's raspi-firmware, into a
 * throwaway root, twice with the same result; and its refusals.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const install = fileURLToPath(new URL('../../image-build/install.sh', import.meta.url));

describe('image-build/install.sh', () => {
  it("adds the SPI overlay for Debian's raspi-firmware once, keeping what the file had", async () => {
    const root = await mkdtemp(join(tmpdir(), 'envirowatch-install-'));
    await mkdir(join(root, 'etc/default'), { recursive: true });
    await writeFile(join(root, 'etc/default/raspi-firmware'), '# Debian raspi-firmware defaults\n');
    await writeFile(join(root, 'etc/default/raspi-firmware-custom'), 'dtparam=audio=on\n');
    const { stdout } = await run(install, ['--root', root]);
    expect(stdout).toContain('install.sh: done (into');
    await run(install, ['--root', root]);
    expect(await readFile(join(root, 'etc/default/raspi-firmware-custom'), 'utf8')).toBe('dtparam=audio=on\ndtoverlay=pi4-spidev\n');
  });

  it('leaves a root without raspi-firmware alone, and refuses an unknown option', async () => {
    const root = await mkdtemp(join(tmpdir(), 'envirowatch-install-'));
    await run(install, ['--root', root]);
    await expect(readFile(join(root, 'etc/default/raspi-firmware-custom'))).rejects.toThrow(/ENOENT/);
    const failed = await run(install, ['--frobnicate']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --frobnicate') });
  });
});
