/**
 * packaging/build-deb.sh and the package's maintainer scripts, with the real dpkg: versions N and
 * N+1 (and N-1) built from copies of this checkout, installed into a throwaway root with
 * `dpkg --root --force-script-chrootless` (the scripts run outside a chroot with DPKG_ROOT set,
 * as dpkg(1) and debhelper's snippets define it), and the installed agent started from that root.
 * Checks: conffiles (Debian Policy §10.7.3: a user's edit survives an upgrade, dpkg keeps the
 * packaged one as .dpkg-dist), state untouched, SNMP engine boots incremented by the agent
 * (RFC 3414 §2.2.2: never reset while the engine ID stays), a downgrade refused, the admin's
 * choice of enabled units kept, purge, and the takeover of an install.sh installation; the
 * installed agent's sysDescr (read with Net-SNMP's snmpget) carries the package's version.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile, appendFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_ENTRIES = ['dist', 'assets', 'config', 'systemd', 'mibs', 'packaging', 'package.json', 'package-lock.json', 'README.md', 'src/analyzer/README.md'];

let work: string;
const debs: Record<string, string> = {};

/** A built checkout in `dir` (node_modules as links to this one's: the addons are built for this host). */
async function checkout(dir: string): Promise<void> {
  await mkdir(join(dir, 'src/analyzer'), { recursive: true });
  for (const entry of SOURCE_ENTRIES) await cp(join(repo, entry), join(dir, entry), { recursive: true });
}

async function build(source: string, version: string): Promise<string> {
  const out = join(work, 'debs');
  const { stdout } = await run(
    join(source, 'packaging/build-deb.sh'),
    ['--arch', 'amd64', '--version', version, '--out', out, '--node-modules', join(work, 'node_modules'), '--no-lintian'],
    { env: { ...process.env, DEBFULLNAME: 'envirowatch test', DEBEMAIL: 'test@envirowatch.invalid' } },
  );
  expect(stdout).toContain(`built ${out}/envirowatch_${version}_amd64.deb`);
  return join(out, `envirowatch_${version}_amd64.deb`);
}

async function newRoot(name: string): Promise<string> {
  const root = join(work, name);
  for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'etc', 'usr/bin']) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'var/lib/dpkg/status'), '');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\n');
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  return root;
}

/** dpkg on `root`; Depends (nodejs, systemd) are not in the throwaway root, hence --force-depends. */
function dpkg(root: string, args: string[], env: Record<string, string> = {}) {
  return run(
    'dpkg',
    [`--root=${root}`, '--force-script-chrootless', '--force-depends', '--force-confdef', '--force-confold', `--log=${join(root, 'dpkg.log')}`, ...args],
    { env: { ...process.env, ...env } },
  );
}

async function installedVersion(root: string): Promise<string> {
  const { stdout } = await run('dpkg-query', [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', '-f', '${Version} ${Status}', 'envirowatch']);
  return stdout;
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the installed agent (simulated sensors) with its boots file in the root's state directory
 * until Net-SNMP's snmpget has its sysDescr; returns that and the boots the agent stored.
 */
async function startAgentOnce(root: string, bootsFile: string): Promise<{ boots: number; sysDescr: string }> {
  const config = join(work, `agent-${Date.now()}.yaml`);
  const port = await freePort();
  await writeFile(
    config,
    `snmp:\n  addresses: [127.0.0.1]\n  port: ${port}\n  communities: [{ name: public, sources: [127.0.0.0/8] }]\n  engineId: "8000544604656e7669726f7761746368"\n  engineBootsFile: ${bootsFile}\ndisplay:\n  type: none\n`,
  );
  const agent = spawn(join(root, 'usr/bin/envirowatch'), ['agent', '--simulate', '--config', config], { stdio: 'ignore' });
  try {
    for (let tries = 0; tries < 60; tries++) {
      const answer = await run('snmpget', ['-v2c', '-c', 'public', '-Ovq', '-r0', '-t1', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.1.0']).catch(() => undefined); // sysDescr.0 (RFC 3418)
      if (answer) return { boots: (JSON.parse(await readFile(bootsFile, 'utf8')) as { engineBoots: number }).engineBoots, sysDescr: answer.stdout.trim() };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error('the installed agent did not answer SNMP');
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'envirowatch-deb-'));
  await mkdir(join(work, 'node_modules'));
  for (const entry of await readdir(join(repo, 'node_modules'))) await symlink(join(repo, 'node_modules', entry), join(work, 'node_modules', entry));
  const current = join(work, 'source-n');
  await checkout(current);
  debs['1.0.0'] = await build(current, '1.0.0');
  debs['0.9.0'] = await build(current, '0.9.0');
  // N+1 ships changed defaults in both conffiles.
  const next = join(work, 'source-n1');
  await checkout(next);
  await appendFile(join(next, 'config/image-agent.yaml'), '# changed in 1.1.0\n');
  await appendFile(join(next, 'config/analyzer.yaml'), '# changed in 1.1.0\n');
  debs['1.1.0'] = await build(next, '1.1.0');
}, 240_000);

describe('packaging/build-deb.sh', () => {
  it('builds a package with the app, units, conffiles and maintainer scripts, at the requested version', async () => {
    const { stdout: fields } = await run('dpkg-deb', ['--field', debs['1.1.0']!, 'Package', 'Version', 'Architecture', 'Depends']);
    expect(fields).toMatch(/^Package: envirowatch\nVersion: 1\.1\.0\nArchitecture: amd64\nDepends: nodejs \(>= 20\)/);
    const { stdout: conffiles } = await run('dpkg-deb', ['--info', debs['1.1.0']!, 'conffiles']);
    expect(conffiles.split('\n').filter(Boolean).sort()).toEqual(['/etc/envirowatch/agent.yaml', '/etc/envirowatch/analyzer.yaml']);
    const { stdout: contents } = await run('dpkg-deb', ['--contents', debs['1.1.0']!]);
    expect(contents).toMatch(/^-rw------- root\/root .* \.\/etc\/envirowatch\/agent\.yaml$/m); // secrets: root-only
    expect(contents).toMatch(/ \.\/usr\/bin\/envirowatch -> \.\.\/lib\/envirowatch\/bin\/envirowatch$/m);
    for (const unit of ['agent', 'analyzer', 'firstboot']) expect(contents).toContain(`./usr/lib/systemd/system/envirowatch-${unit}.service\n`);
    // The display's fonts, found upwards from the bundle (the agent's display failed without them on QEMU's raspi4b/raspi3b).
    expect(contents).toContain('./usr/lib/envirowatch/assets/fonts/DejaVuSans-subset.ttf\n');
    expect(contents).not.toMatch(/\.\/var\//); // no state in the package
  });

  it('refuses a version dpkg cannot parse', async () => {
    const failed = await run(join(work, 'source-n/packaging/build-deb.sh'), ['--version', 'one.two', '--no-lintian']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('one.two is not a Debian version') });
  });
});

describe('the package, installed and upgraded with dpkg in a throwaway root', () => {
  it('installs N as the image expects, upgrades to N+1 keeping config edits, state and engine boots, refuses a downgrade, purges', async () => {
    const root = await newRoot('root-upgrade');
    await dpkg(root, ['-i', debs['1.0.0']!]);
    expect(await installedVersion(root)).toBe('1.0.0 install ok installed');
    const { stdout: version } = await run(join(root, 'usr/bin/envirowatch'), ['--version']);
    expect(version.trim()).toBe('1.0.0');
    expect(await readFile(join(root, 'etc/envirowatch/agent.yaml'), 'utf8')).toBe(await readFile(join(repo, 'config/image-agent.yaml'), 'utf8'));
    expect((await stat(join(root, 'etc/envirowatch/agent.yaml'))).mode & 0o777).toBe(0o600);
    // Enabled like the image: the agent and the first-boot unit, not the analyzer.
    expect(await readlink(join(root, 'etc/systemd/system/multi-user.target.wants/envirowatch-agent.service'))).toBe(
      '/usr/lib/systemd/system/envirowatch-agent.service',
    );
    expect(await readlink(join(root, 'etc/systemd/system/sysinit.target.wants/envirowatch-firstboot.service'))).toBe(
      '/usr/lib/systemd/system/envirowatch-firstboot.service',
    );
    await expect(lstat(join(root, 'etc/systemd/system/multi-user.target.wants/envirowatch-analyzer.service'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(root, 'etc/group'), 'utf8')).toMatch(/^i2c:x:\d+:$/m);

    // A sensor in use: the user's edit, the agent's engine boots (laid out as DynamicUser= does), the analyzer's store.
    const edited = 'snmp:\n  sysLocation: "rack 9"\n';
    await writeFile(join(root, 'etc/envirowatch/agent.yaml'), edited);
    await mkdir(join(root, 'var/lib/private/envirowatch'), { recursive: true });
    await symlink('private/envirowatch', join(root, 'var/lib/envirowatch'));
    const bootsFile = join(root, 'var/lib/envirowatch/snmp-engine.json');
    expect(await startAgentOnce(root, bootsFile)).toEqual({ boots: 1, sysDescr: '"envirowatch 1.0.0 environment sensor (simulated sensors)"' });
    await mkdir(join(root, 'var/lib/envirowatch-analyzer'));
    const store = join(root, 'var/lib/envirowatch-analyzer/analyzer.sqlite');
    // The analyzer's store as its own migrations create it.
    const { openDatabase } = (await import(join(repo, 'dist/src/analyzer/store/database.js'))) as { openDatabase: (dir: string) => { close(): void } };
    openDatabase(join(root, 'var/lib/envirowatch-analyzer')).close();
    const stateBefore = { boots: await sha256(bootsFile), store: await sha256(store) };
    // The admin turned the first-boot unit off; an upgrade must not turn it back on.
    await run('systemctl', [`--root=${root}`, 'disable', 'envirowatch-firstboot.service']);

    await dpkg(root, ['-i', debs['1.1.0']!]);
    expect(await installedVersion(root)).toBe('1.1.0 install ok installed');
    expect((await run(join(root, 'usr/bin/envirowatch'), ['--version'])).stdout.trim()).toBe('1.1.0');
    expect(await readFile(join(root, 'etc/envirowatch/agent.yaml'), 'utf8')).toBe(edited);
    expect(await readFile(join(root, 'etc/envirowatch/agent.yaml.dpkg-dist'), 'utf8')).toMatch(/# changed in 1\.1\.0\n$/);
    expect(await readFile(join(root, 'etc/envirowatch/analyzer.yaml'), 'utf8')).toMatch(/# changed in 1\.1\.0\n$/); // unedited: the new default
    expect({ boots: await sha256(bootsFile), store: await sha256(store) }).toEqual(stateBefore);
    expect(await readlink(join(root, 'etc/systemd/system/multi-user.target.wants/envirowatch-agent.service'))).toBe(
      '/usr/lib/systemd/system/envirowatch-agent.service',
    );
    await expect(lstat(join(root, 'etc/systemd/system/sysinit.target.wants/envirowatch-firstboot.service'))).rejects.toThrow(/ENOENT/);
    expect(await startAgentOnce(root, bootsFile)).toEqual({ boots: 2, sysDescr: '"envirowatch 1.1.0 environment sensor (simulated sensors)"' });

    // N-1 over N+1: refused by the preinst, N+1 stays installed and state is untouched.
    const stateAfter = { boots: await sha256(bootsFile), store: await sha256(store) };
    const refused = await dpkg(root, ['-i', debs['0.9.0']!]).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('refusing to downgrade from 1.1.0 to 0.9.0') });
    expect(await installedVersion(root)).toBe('1.1.0 install ok installed');
    expect((await run(join(root, 'usr/bin/envirowatch'), ['--version'])).stdout.trim()).toBe('1.1.0');
    expect({ boots: await sha256(bootsFile), store: await sha256(store) }).toEqual(stateAfter);
    // On request it goes through.
    await dpkg(root, ['-i', debs['0.9.0']!], { ENVIROWATCH_ALLOW_DOWNGRADE: '1' });
    expect(await installedVersion(root)).toBe('0.9.0 install ok installed');

    // Purge: config and unit links go, state stays.
    await dpkg(root, ['--purge', 'envirowatch']);
    await expect(lstat(join(root, 'etc/envirowatch'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(root, 'usr/lib/envirowatch'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(root, 'etc/systemd/system/multi-user.target.wants/envirowatch-agent.service'))).rejects.toThrow(/ENOENT/);
    expect({ boots: await sha256(bootsFile), store: await sha256(store) }).toEqual(stateAfter);
  }, 240_000);

  it('takes over an install.sh installation: its units and /opt/envirowatch go, the analyzer stays enabled, the config stays, made root-only', async () => {
    const root = await newRoot('root-takeover');
    // What image-build/install.sh --enable-analyzer left before the package existed.
    await mkdir(join(root, 'opt/envirowatch/bin'), { recursive: true });
    await symlink('../dist/src/cli/envirowatch.mjs', join(root, 'opt/envirowatch/bin/envirowatch'));
    await mkdir(join(root, 'usr/local/bin'), { recursive: true });
    await symlink('/opt/envirowatch/bin/envirowatch', join(root, 'usr/local/bin/envirowatch'));
    await mkdir(join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    for (const unit of ['agent', 'analyzer']) {
      const text = (await readFile(join(repo, `systemd/envirowatch-${unit}.service`), 'utf8')).replaceAll('/usr/lib/envirowatch/', '/opt/envirowatch/');
      await writeFile(join(root, `etc/systemd/system/envirowatch-${unit}.service`), text);
      await symlink(`/etc/systemd/system/envirowatch-${unit}.service`, join(root, `etc/systemd/system/multi-user.target.wants/envirowatch-${unit}.service`));
    }
    await mkdir(join(root, 'etc/envirowatch'));
    await writeFile(join(root, 'etc/envirowatch/agent.yaml'), 'snmp:\n  sysLocation: "rack 3"\n', { mode: 0o644 }); // an older install.sh left it world-readable

    const { stdout } = await dpkg(root, ['-i', debs['1.0.0']!]);
    expect(stdout).toContain('replacing the install.sh installation in /opt/envirowatch');
    await expect(lstat(join(root, 'opt/envirowatch'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(root, 'usr/local/bin/envirowatch'))).rejects.toThrow(/ENOENT/);
    for (const unit of ['agent', 'analyzer']) {
      await expect(lstat(join(root, `etc/systemd/system/envirowatch-${unit}.service`))).rejects.toThrow(/ENOENT/);
      expect(await readlink(join(root, `etc/systemd/system/multi-user.target.wants/envirowatch-${unit}.service`))).toBe(
        `/usr/lib/systemd/system/envirowatch-${unit}.service`,
      );
    }
    expect(await readFile(join(root, 'etc/envirowatch/agent.yaml'), 'utf8')).toBe('snmp:\n  sysLocation: "rack 3"\n');
    expect((await stat(join(root, 'etc/envirowatch/agent.yaml'))).mode & 0o777).toBe(0o600); // it holds secrets
    await rm(root, { recursive: true });
  }, 60_000);
});
