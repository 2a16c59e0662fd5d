/**
 * image-build/install.sh into a throwaway root, twice: the second run leaves exactly the same
 * tree, keeps a config the user edited, and the installed command runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));

/** Every path under `dir` with its type, mode and content hash (or link target). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  async function walk(path: string): Promise<void> {
    const info = await lstat(path);
    const key = relative(dir, path) || '.';
    if (info.isSymbolicLink()) result[key] = `link ${await readlink(path)}`;
    else if (info.isDirectory()) {
      result[key] = `dir ${(info.mode & 0o7777).toString(8)}`;
      for (const entry of await readdir(path)) await walk(join(path, entry));
    } else result[key] = `file ${(info.mode & 0o7777).toString(8)} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  await walk(dir);
  return result;
}

describe('image-build/install.sh', () => {
  it('installs into a root, idempotently, keeping an edited config; the installed command runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-install-'));
    // A built checkout; node_modules linked rather than copied (160 MB), which --skip-npm copies as the link.
    const source = join(dir, 'source');
    await mkdir(join(source, 'src/analyzer'), { recursive: true });
    for (const entry of ['dist', 'assets', 'config', 'systemd', 'mibs', 'image-build', 'package.json', 'package-lock.json', 'README.md', 'src/analyzer/README.md']) await cp(join(repo, entry), join(source, entry), { recursive: true });
    await symlink(join(repo, 'node_modules'), join(source, 'node_modules'));
    const root = join(dir, 'root');
    await mkdir(join(root, 'etc/default'), { recursive: true });
    await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
    await writeFile(join(root, 'etc/gshadow'), 'root:*::\n');
    await writeFile(join(root, 'etc/default/raspi-firmware'), '# Debian raspi-firmware defaults\n');
    const install = () => run(join(source, 'image-build/install.sh'), ['--root', root, '--skip-npm']);

    const first = await install();
    expect(first.stdout).toContain('install.sh: done (into');
    const afterFirst = await snapshot(root);
    expect(afterFirst['opt/envirowatch/bin/envirowatch']).toBe('link ../dist/src/cli/envirowatch.mjs');
    expect(afterFirst['opt/envirowatch/bin/envirowatch-analyzer']).toBe('link ../dist/src/cli/envirowatch-analyzer.mjs');
    expect(afterFirst['usr/local/bin/envirowatch']).toBe('link /opt/envirowatch/bin/envirowatch');
    // The display's fonts, found upwards from the bundle (the agent's display failed without them on QEMU's raspi4b/raspi3b).
    expect(afterFirst['opt/envirowatch/assets/fonts/DejaVuSans-subset.ttf']).toBeDefined();
    expect(afterFirst['etc/systemd/system/multi-user.target.wants/envirowatch-agent.service']).toBe('link /etc/systemd/system/envirowatch-agent.service');
    expect(afterFirst['etc/systemd/system/sysinit.target.wants/envirowatch-firstboot.service']).toBe('link /etc/systemd/system/envirowatch-firstboot.service');
    expect(Object.keys(afterFirst).some((path) => path.includes('envirowatch-analyzer.service') && path.includes('.wants'))).toBe(false); // not on a sensor
    expect(await readFile(join(root, 'etc/group'), 'utf8')).toMatch(/^i2c:x:\d+:$/m);
    expect(await readFile(join(root, 'etc/modules-load.d/envirowatch.conf'), 'utf8')).toBe('i2c-dev\n');
    expect(await readFile(join(root, 'etc/default/raspi-firmware-custom'), 'utf8')).toBe('dtoverlay=pi4-spidev\n');
    expect(await readFile(join(root, 'etc/envirowatch/agent.yaml'), 'utf8')).toBe(await readFile(join(repo, 'config/image-agent.yaml'), 'utf8'));

    const { stdout: version } = await run(join(root, 'opt/envirowatch/bin/envirowatch'), ['--version']);
    expect(version.trim()).toBe(JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')).version);
    const { stdout: analyzerVersion } = await run(join(root, 'opt/envirowatch/bin/envirowatch-analyzer'), ['--version']);
    expect(analyzerVersion).toBe(version);
    const { stdout: checked } = await run(join(root, 'opt/envirowatch/bin/envirowatch'), ['check-config', join(root, 'etc/envirowatch/agent.yaml')]);
    expect(checked).toMatch(/OK/);

    // The user edits their config; a second run changes nothing at all.
    await writeFile(join(root, 'etc/envirowatch/agent.yaml'), 'snmp: { sysLocation: "rack 9" }\n');
    const edited = await snapshot(root);
    await install();
    expect(await snapshot(root)).toEqual(edited);
  }, 60_000);

  it('refuses to run without a build, saying what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-install-'));
    await mkdir(join(dir, 'image-build'));
    await cp(join(repo, 'image-build/install.sh'), join(dir, 'image-build/install.sh'));
    const failed = await run(join(dir, 'image-build/install.sh'), ['--root', dir, '--skip-npm']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('no build in') });
  });
});
