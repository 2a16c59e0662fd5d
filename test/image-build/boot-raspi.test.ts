/**
 * image-build/test/boot-raspi.sh boots the image on QEMU's raspi3b/raspi4b (opt-in, slow:
 * npm run test:image:raspi). Here only what needs no QEMU: the script parses, and refuses a
 * machine it does not know before doing anything.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BOOT_RASPI = fileURLToPath(new URL('../../image-build/test/boot-raspi.sh', import.meta.url));

describe('image-build/test/boot-raspi.sh', () => {
  it('is valid bash', async () => {
    await expect(run('bash', ['-n', BOOT_RASPI])).resolves.toBeDefined();
  });

  it.each([[[]], [['virt']], [['raspi2b']]])('refuses %j with its usage and exit code 2', async (args) => {
    const error = await run(BOOT_RASPI, args).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toContain('usage: ');
    expect(error?.stderr).toContain('raspi4b|raspi3b');
  });
});
