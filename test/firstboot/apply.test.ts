/**
 * First boot: envirowatch.yaml on the boot partition applied to a throwaway root, as
 * envirowatch-firstboot.service does on the sensor: good files, bad files (the log says why,
 * nothing changes), secrets leaving the FAT partition and kept on a later edit, no file at all.
 */
import { existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, readFile, readlink, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APPLIED_FILE, applyFirstBoot, AUTO_UPGRADES, FIRSTBOOT_FILE, IMAGE_AGENT_CONFIG, LOG_FILE, wpaPsk } from '../../src/firstboot/apply.js';
import { REMOVED_SECRET } from '../../src/firstboot/schema.js';
import { cli } from '../helpers/analyzer-process.js';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGkKd3ZxbXlwY2Z0cWdrZ3Z1b3B5c2RqeGt6eWx3ZW1u erin@laptop';

/** A boot partition and a root holding what the image installs. */
async function card(): Promise<{ boot: string; root: string; read(path: string): Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-firstboot-'));
  const boot = join(dir, 'boot');
  const root = join(dir, 'root');
  await mkdir(boot);
  await mkdir(join(root, dirname(IMAGE_AGENT_CONFIG)), { recursive: true });
  await copyFile(repo('config/image-agent.yaml'), join(root, IMAGE_AGENT_CONFIG));
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1\tlocalhost\n127.0.1.1\tenvirowatch\n');
  return { boot, root, read: (path) => readFile(join(root, path), 'utf8') };
}

const GOOD = `hostname: sensor-rack3
network:
  ethernet: { address: 192.168.7.20/24, gateway: 192.168.7.1, dns: [192.168.7.1] }
  wifi: { ssid: IEEE, psk: password, country: DE }
ssh:
  authorizedKeys: ["${KEY}"]
agent:
  units: { temperature: celsius }
  snmp:
    sysLocation: "Server room B"
    communities: [{ name: s3cret-community, sources: [10.20.0.0/16] }]
`;

describe('envirowatch firstboot', () => {
  it("applies a good file: host name, agent.yaml over the image's, static wired address, Wi-Fi, SSH; secrets leave the FAT partition", async () => {
    const { boot, root, read } = await card();
    await writeFile(join(boot, FIRSTBOOT_FILE), GOOD.replace(/\n/g, '\r\n')); // saved on Windows
    const result = await applyFirstBoot({ boot, root });
    expect(result.applied).toBe(true);

    expect(await read('etc/hostname')).toBe('sensor-rack3\n');
    expect(await read('etc/hosts')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tsensor-rack3\n');
    // agent.yaml: the file's keys over the image's (display stays st7735), valid for check-config.
    const agentYaml = join(root, 'etc/envirowatch/agent.yaml');
    expect(await cli(['check-config', agentYaml])).toMatchObject({ code: 0 });
    const agent = await read('etc/envirowatch/agent.yaml');
    expect(agent).toContain('s3cret-community');
    expect(agent).not.toContain('name: public');
    expect(agent).toMatch(/display:\n {2}type: st7735/);
    expect(agent).toContain('engineBootsFile: /var/lib/envirowatch/snmp-engine.json');
    expect(await read('etc/systemd/network/10-envirowatch-wired.network')).toContain(
      '[Match]\nType=ether\n\n[Network]\nAddress=192.168.7.20/24\nGateway=192.168.7.1\nDNS=192.168.7.1\n',
    );
    // IEEE 802.11i test vector: passphrase "password", SSID "IEEE".
    expect(wpaPsk('password', 'IEEE')).toBe('f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e');
    const wpa = await read('etc/wpa_supplicant/wpa_supplicant-wlan0.conf');
    expect(wpa).toContain('country=DE\nnetwork={\n\tssid=49454545\n\tpsk=f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e\n}');
    expect((await stat(join(root, 'etc/wpa_supplicant/wpa_supplicant-wlan0.conf'))).mode & 0o777).toBe(0o600);
    expect(await readlink(join(root, 'etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service'))).toBe(
      '/lib/systemd/system/wpa_supplicant@.service',
    );
    expect(await read('root/.ssh/authorized_keys')).toBe(`${KEY}\n`);
    expect(existsSync(join(root, 'etc/ssh/sshd_not_to_be_run'))).toBe(false);

    // The FAT partition: the file renamed, secrets replaced; the log says what happened.
    expect(existsSync(join(boot, FIRSTBOOT_FILE))).toBe(false);
    const applied = await readFile(join(boot, APPLIED_FILE), 'utf8');
    expect(applied).not.toMatch(/s3cret-community|psk: password/);
    expect(applied.split('\n').filter((line) => !line.startsWith('#') && line.includes(REMOVED_SECRET))).toHaveLength(2); // the PSK and the community
    const log = await readFile(join(boot, LOG_FILE), 'utf8');
    expect(log).toMatch(/host name sensor-rack3\n/);
    expect(log).toMatch(/Wi-Fi: joins "IEEE" \(DE\), DHCP\n/);
    expect(log).toMatch(/SSH: on, for root with 1 key/);
    // Not in the file: security updates stay on (the image's default).
    expect(await read(AUTO_UPGRADES)).toMatch(/\nAPT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n$/);
    expect(log).toMatch(/security updates: on/);
  });

  it('a file with mistakes changes nothing and the log says what and where, in plain words', async () => {
    const { boot, root, read } = await card();
    await writeFile(join(boot, FIRSTBOOT_FILE), GOOD);
    await applyFirstBoot({ boot, root });
    const before = await read('etc/envirowatch/agent.yaml');
    await writeFile(join(boot, FIRSTBOOT_FILE), 'hostname: -bad-\nnetwork:\n  wifi: { ssid: x, psk: short, country: de }\nagent:\n  snmp: { port: 99999 }\n');
    const result = await applyFirstBoot({ boot, root });
    expect(result.applied).toBe(false);
    const log = await readFile(join(boot, LOG_FILE), 'utf8');
    expect(log).toContain('envirowatch.yaml has mistakes; nothing was changed, the sensor keeps its previous settings.');
    expect(log).toMatch(/envirowatch\.yaml:1: hostname: must be 1-63 letters/);
    expect(log).toMatch(/envirowatch\.yaml:3: network\.wifi\.psk: found a value \(not shown: it is a secret\): must be 8 to 63 characters/);
    expect(log).not.toContain('short'); // the Wi-Fi password itself
    expect(log).toMatch(/envirowatch\.yaml:3: network\.wifi\.country: must be a two-letter country code/);
    expect(log).toMatch(/envirowatch\.yaml:5: agent\.snmp\.port: /);
    expect(await read('etc/envirowatch/agent.yaml')).toBe(before);
    expect(await read('etc/hostname')).toBe('sensor-rack3\n');
    expect(existsSync(join(boot, FIRSTBOOT_FILE))).toBe(true); // left for the user to fix
  });

  it('mistakes are reported at the lines of the file as the user wrote it, also beside a kept secret', async () => {
    const { boot, root } = await card();
    await writeFile(join(boot, FIRSTBOOT_FILE), GOOD);
    await applyFirstBoot({ boot, root });
    // A long flow mapping (re-serialised, it would span several lines) and a stored secret given back.
    const longLine = `network: { ethernet: dhcp, wifi: { ssid: IEEE, psk: "${REMOVED_SECRET}", country: DE, address: { address: 192.168.7.21/24, gateway: 192.168.7.1, dns: [192.168.7.1, 192.168.7.2] } } }`;
    await writeFile(join(boot, FIRSTBOOT_FILE), `# edited\n${longLine}\n\n\nhostname: -bad-\nagent:\n  snmp: { port: 99999 }\n`);
    expect((await applyFirstBoot({ boot, root })).applied).toBe(false);
    const log = await readFile(join(boot, LOG_FILE), 'utf8');
    expect(log).toMatch(/envirowatch\.yaml:5: hostname: must be 1-63 letters/);
    expect(log).toMatch(/envirowatch\.yaml:7: agent\.snmp\.port: /);
  });

  it('the applied copy, edited and saved back, keeps the stored secrets; leaving Wi-Fi and SSH out turns them off', async () => {
    const { boot, root, read } = await card();
    await writeFile(join(boot, FIRSTBOOT_FILE), GOOD);
    await applyFirstBoot({ boot, root });
    const wpaBefore = await read('etc/wpa_supplicant/wpa_supplicant-wlan0.conf');
    const edited = (await readFile(join(boot, APPLIED_FILE), 'utf8')).replace('hostname: sensor-rack3', 'hostname: sensor-rack4');
    await writeFile(join(boot, FIRSTBOOT_FILE), edited);
    expect((await applyFirstBoot({ boot, root })).applied).toBe(true);
    expect(await read('etc/hostname')).toBe('sensor-rack4\n');
    expect(await read('etc/wpa_supplicant/wpa_supplicant-wlan0.conf')).toBe(wpaBefore);
    expect(await read('etc/envirowatch/agent.yaml')).toContain('s3cret-community');

    await writeFile(join(boot, FIRSTBOOT_FILE), 'hostname: sensor-rack4\n');
    expect((await applyFirstBoot({ boot, root })).applied).toBe(true);
    expect(existsSync(join(root, 'etc/wpa_supplicant/wpa_supplicant-wlan0.conf'))).toBe(false);
    await expect(lstat(join(root, 'etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service'))).rejects.toThrow();
    expect(existsSync(join(root, 'root/.ssh/authorized_keys'))).toBe(false);
    expect(existsSync(join(root, 'etc/ssh/sshd_not_to_be_run'))).toBe(true);
    expect(await read('etc/envirowatch/agent.yaml')).toContain('name: public'); // back to the image's community

    // updates.security: false turns Debian's security updates off; the log says so.
    await writeFile(join(boot, FIRSTBOOT_FILE), 'updates: { security: false }\n');
    expect((await applyFirstBoot({ boot, root })).applied).toBe(true);
    expect(await read(AUTO_UPGRADES)).toMatch(/\nAPT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";\n$/);
    expect(await readFile(join(boot, LOG_FILE), 'utf8')).toMatch(/security updates: off\n/);

    // A marker with nothing stored behind it is refused.
    await writeFile(join(boot, FIRSTBOOT_FILE), `network:\n  wifi: { ssid: Other, psk: "${REMOVED_SECRET}", country: DE }\n`);
    expect((await applyFirstBoot({ boot, root })).applied).toBe(false);
    expect(await readFile(join(boot, LOG_FILE), 'utf8')).toContain(`network.wifi.psk says "${REMOVED_SECRET}" but the sensor has no stored value there`);
  });

  it('an error that is no mistake in the file is logged too', async () => {
    const { boot, root } = await card();
    await writeFile(join(root, 'etc/envirowatch'), 'a file where the directory should be\n');
    await writeFile(join(boot, FIRSTBOOT_FILE), GOOD);
    expect((await applyFirstBoot({ boot, root })).applied).toBe(false);
    expect(await readFile(join(boot, LOG_FILE), 'utf8')).toMatch(/stopped by an error: .*etc\/envirowatch.*; restart the sensor to try again\.\n$/);
  });

  it('no file: nothing changes, and the log says which defaults apply', async () => {
    const { boot, root } = await card();
    const result = await applyFirstBoot({ boot, root });
    expect(result.applied).toBe(false);
    expect(await readFile(join(boot, LOG_FILE), 'utf8')).toMatch(
      /no envirowatch\.yaml on the boot partition: keeping the current settings \(the image's: DHCP/,
    );
    expect(existsSync(join(root, 'etc/envirowatch/agent.yaml'))).toBe(false);
  });

  it('the shipped sample applies as it is, through the envirowatch command', async () => {
    const { boot, root, read } = await card();
    await copyFile(repo('config/envirowatch.yaml.sample'), join(boot, FIRSTBOOT_FILE));
    const { code, stdout } = await cli(['firstboot', '--boot', boot, '--root', root]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/applied; envirowatch\.yaml renamed envirowatch-applied\.yaml/);
    expect(await read('etc/hostname')).toBe('sensor-rack3\n');
    expect(await cli(['check-config', join(root, 'etc/envirowatch/agent.yaml')])).toMatchObject({ code: 0 });
    // Applying the applied copy again (as a user who renames it back) changes nothing.
    const agent = await read('etc/envirowatch/agent.yaml');
    await rename(join(boot, APPLIED_FILE), join(boot, FIRSTBOOT_FILE));
    expect((await cli(['firstboot', '--boot', boot, '--root', root])).code).toBe(0);
    expect(await read('etc/envirowatch/agent.yaml')).toBe(agent);
  });
});
