/**
 * Secrets on the sensor's disk: every file first boot writes with a password, community, key or
 * hash in it is root-only (0600) from its creation (the Debian package's config files are 0600 too:
 * test/packaging/build-deb.test.ts). The daemons get their
 * config through systemd's LoadCredential= (their DynamicUser cannot own a file in /etc):
 * test/systemd/units.test.ts checks the units say so, and that they pass systemd-analyze verify.
 */
import { copyFile, chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyFirstBoot, FIRSTBOOT_FILE, IMAGE_AGENT_CONFIG } from '../../src/firstboot/apply.js';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGkKd3ZxbXlwY2Z0cWdrZ3Z1b3B5c2RqeGt6eWx3ZW1u erin@laptop';
const SECRETS = ['wifi-passphrase-1', 's3cret-community', 'auth-password-1', 'priv-password-1', 'trap-community-1'];

const WITH_SECRETS = `network:
  wifi: { ssid: Lab, psk: ${SECRETS[0]}, country: DE }
ssh:
  authorizedKeys: ["${KEY}"]
agent:
  snmp:
    communities: [{ name: ${SECRETS[1]}, sources: [10.0.0.0/8] }]
    v3Users: [{ name: monitor, authProtocol: SHA-256, authPassword: ${SECRETS[2]}, privProtocol: AES, privPassword: ${SECRETS[3]} }]
    notifications:
      receivers: [{ host: 10.0.0.5, community: ${SECRETS[4]} }]
`;

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

/** Every regular file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

async function card(): Promise<{ boot: string; root: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-secrets-'));
  const [boot, root] = [join(dir, 'boot'), join(dir, 'root')];
  await mkdir(boot);
  await mkdir(join(root, dirname(IMAGE_AGENT_CONFIG)), { recursive: true });
  await copyFile(repo('config/image-agent.yaml'), join(root, IMAGE_AGENT_CONFIG));
  return { boot, root };
}

describe('secrets on the sensor', () => {
  it('first boot writes every file holding a secret root-only (0600)', async () => {
    const { boot, root } = await card();
    await writeFile(join(boot, FIRSTBOOT_FILE), WITH_SECRETS);
    expect((await applyFirstBoot({ boot, root })).applied).toBe(true);
    const holding: Record<string, number> = {};
    for (const file of await filesUnder(root)) {
      const text = await readFile(join(root, file), 'utf8');
      if (SECRETS.some((secret) => text.includes(secret)) || text.includes(KEY)) holding[file] = await modeOf(join(root, file));
    }
    expect(holding).toEqual({
      'etc/envirowatch/agent.yaml': 0o600,
      'etc/envirowatch/firstboot.yaml': 0o600,
      'root/.ssh/authorized_keys': 0o600,
    });
    expect(await modeOf(join(root, 'etc/wpa_supplicant/wpa_supplicant-wlan0.conf'))).toBe(0o600); // the derived key, not the passphrase
  });

  it('first boot replaces a world-readable agent.yaml by a new root-only file, never writing secrets into the old one', async () => {
    const { boot, root } = await card();
    const agentYaml = join(root, 'etc/envirowatch/agent.yaml');
    await mkdir(join(root, 'etc/envirowatch'), { recursive: true });
    await copyFile(repo('config/image-agent.yaml'), agentYaml);
    await chmod(agentYaml, 0o644); // as an old install.sh wrote it
    const before = await stat(agentYaml);
    await writeFile(join(boot, FIRSTBOOT_FILE), WITH_SECRETS);
    expect((await applyFirstBoot({ boot, root })).applied).toBe(true);
    const after = await stat(agentYaml);
    expect(after.ino).not.toBe(before.ino); // a temp file, created 0600, renamed over it
    expect(after.mode & 0o777).toBe(0o600);
    expect((await readdir(join(root, 'etc/envirowatch'))).sort()).toEqual(['agent.yaml', 'firstboot.yaml']); // no temp file left
  });
});
