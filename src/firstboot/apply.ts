/**
 * Applies envirowatch.yaml from the boot partition to the system under `root` (/ on the sensor, a
 * temp dir in tests): host name, agent.yaml, systemd-networkd and wpa_supplicant files, SSH.
 * The file describes the whole wanted state, so what it leaves out goes back to the image's
 * default (no Wi-Fi, SSH off). Afterwards the file is renamed envirowatch-applied.yaml with its
 * secrets replaced by a marker; the full file is kept root-only in /etc/envirowatch. Everything it
 * did, or why it did nothing, is appended to envirowatch-firstboot.log on the boot partition, for
 * a user without a screen. A bad file changes nothing.
 */
import { pbkdf2Sync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import * as z from 'zod';
import { formatConfigIssues, parseYamlText, validateConfig, type ParsedYaml } from '../common/config-file.js';
import { ConfigError } from '../common/errors.js';
import { agentConfigSchema } from '../agent/config/schema.js';
import { firstBootSchema, REMOVED_SECRET, SECRET_PATHS, type FirstBoot } from './schema.js';

export const FIRSTBOOT_FILE = 'envirowatch.yaml';
export const APPLIED_FILE = 'envirowatch-applied.yaml';
export const LOG_FILE = 'envirowatch-firstboot.log';
/** The image's agent settings that envirowatch.yaml's `agent:` is merged over. */
export const IMAGE_AGENT_CONFIG = 'usr/lib/envirowatch/config/image-agent.yaml';
const AGENT_CONFIG = 'etc/envirowatch/agent.yaml';
/** The last applied file with its secrets, readable by root only: where "keep the stored one" looks. */
const STORED_FILE = 'etc/envirowatch/firstboot.yaml';
const SSH_OFF_MARKER = 'etc/ssh/sshd_not_to_be_run';
/** APT::Periodic's switches (apt.systemd.daily), the file unattended-upgrades' own setup writes. */
export const AUTO_UPGRADES = 'etc/apt/apt.conf.d/20auto-upgrades';
const WPA_UNIT_LINK = 'etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface FirstBootResult {
  readonly applied: boolean;
  /** What the log got, one entry per line. */
  readonly log: readonly string[];
}

/** WPA2's pre-shared key from passphrase and SSID (IEEE 802.11i: PBKDF2-SHA1, 4096 rounds, 32 bytes), as wpa_passphrase prints it. */
export function wpaPsk(passphrase: string, ssid: string): string {
  return pbkdf2Sync(passphrase, ssid, 4096, 32, 'sha1').toString('hex');
}

/** Objects merged key by key (the overlay wins); anything else, arrays included, replaced. */
function merge(base: Json, overlay: Json): Json {
  if (!isObject(base) || !isObject(overlay)) return overlay;
  const merged: { [key: string]: Json } = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = key in base ? merge(base[key]!, value) : value;
  return merged;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Calls `visit` for every value at `path` ('*' = each element of an array), with its parent and key. */
function eachAt(
  value: Json | undefined,
  path: readonly string[],
  visit: (parent: { [key: string]: Json } | Json[], key: string | number, at: string[]) => void,
  at: string[] = [],
): void {
  if (value === undefined) return;
  const [head, ...rest] = path;
  if (head === '*') {
    if (Array.isArray(value))
      value.forEach((item, i) => (rest.length === 0 ? visit(value, i, [...at, String(i)]) : eachAt(item, rest, visit, [...at, String(i)])));
    return;
  }
  if (!isObject(value) || head === undefined || !(head in value)) return;
  if (rest.length === 0) visit(value, head, [...at, head]);
  else eachAt(value[head], rest, visit, [...at, head]);
}

function valueAt(value: Json | undefined, path: readonly string[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

function networkFile(match: string, addressing: NonNullable<FirstBoot['network']['ethernet']>): string {
  const lines = ['# Written by envirowatch-firstboot from envirowatch.yaml on the boot partition.', '[Match]', match, '', '[Network]'];
  if (addressing === 'dhcp') lines.push('DHCP=yes');
  else {
    lines.push(`Address=${addressing.address}`);
    if (addressing.gateway) lines.push(`Gateway=${addressing.gateway}`);
    for (const dns of addressing.dns) lines.push(`DNS=${dns}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes through a temp file created with its final mode and renamed into place: a reader never
 * sees a half-written file, and a secret is never in a file with a wider mode (writeFile's mode
 * only applies when it creates the file, so writing over an old 0644 agent.yaml kept it 0644).
 */
async function write(root: string, path: string, content: string, mode = 0o644): Promise<void> {
  const file = join(root, path);
  const temp = `${file}.envirowatch-new`;
  await mkdir(dirname(file), { recursive: true });
  await rm(temp, { force: true }); // left by a power cut mid-write
  await writeFile(temp, content, { mode, flag: 'wx' });
  await chmod(temp, mode); // the umask may have narrowed it
  await rename(temp, file);
}

async function readJson(file: string): Promise<Json | undefined> {
  try {
    return parseYaml(await readFile(file, 'utf8')) as Json;
  } catch {
    return undefined;
  }
}

export async function applyFirstBoot(options: { readonly boot: string; readonly root: string; readonly now?: () => Date }): Promise<FirstBootResult> {
  const { boot, root } = options;
  const now = options.now ?? (() => new Date());
  const log: string[] = [];
  let applied = false;
  try {
    applied = await applyFile(boot, root, now, (line) => log.push(line));
  } catch (error) {
    // Whatever went wrong, the user without a screen reads why in the log.
    log.push(
      `stopped by an error: ${(error as Error).message}. ${FIRSTBOOT_FILE} may be partly applied (the steps listed above are done); restart the sensor to try again.`,
    );
  }
  await appendToLog(boot, log, now);
  return { applied, log };
}

/** Appends lines to the log on the boot partition, each stamped with the same time. */
export async function appendToLog(boot: string, lines: readonly string[], now: () => Date): Promise<void> {
  const stamp = now().toISOString();
  await appendFile(join(boot, LOG_FILE), lines.map((line) => `${stamp} ${line}\n`).join(''));
}

/** Notes a ConfigError's problems under `heading`; anything else is not a mistake in the file and goes on up. */
function noteMistakes(note: (line: string) => void, heading: string, error: unknown): undefined {
  if (!(error instanceof ConfigError)) throw error;
  note(heading);
  for (const line of formatConfigIssues(error)) note(`  ${line}`);
  return undefined;
}

/** Secrets given back as the marker take the stored value at the same place; returns the paths with none stored. */
function restoreSecrets(raw: Json, stored: Json | undefined): string[] {
  const missing: string[] = [];
  for (const path of SECRET_PATHS) {
    eachAt(raw, path, (parent, key, at) => {
      const values = parent as Record<string | number, Json>;
      if (values[key] !== REMOVED_SECRET) return;
      const kept = valueAt(stored, at);
      if (typeof kept === 'string') values[key] = kept;
      else missing.push(at.join('.'));
    });
  }
  return missing;
}

/** The merged agent settings checked under `agent:`, so a problem reads agent.x.y at the line of the user's file nearest to it. */
const mergedAgentSchema = z.strictObject({ agent: agentConfigSchema });

interface Wanted {
  readonly wanted: FirstBoot;
  /** The file as written, stored secrets put back. */
  readonly raw: Json;
  /** The image's agent settings with the file's `agent:` on top. */
  readonly agentRaw: Json;
}

/**
 * The file checked, or undefined with the reasons noted. Problems are located in the user's
 * text as written: the data is checked, never a re-serialised copy of it, and a stored secret
 * put back sits at the same path as the marker it replaces.
 */
async function readWanted(source: string, root: string, note: (line: string) => void): Promise<Wanted | undefined> {
  const original = (await readFile(source, 'utf8')).replace(/\r\n/g, '\n'); // edited on Windows
  let parsed: ParsedYaml;
  let wanted: FirstBoot;
  const mistakes = `${FIRSTBOOT_FILE} has mistakes; nothing was changed, the sensor keeps its previous settings. Fix these and restart the sensor:`;
  try {
    parsed = parseYamlText(original, FIRSTBOOT_FILE);
  } catch (error) {
    return noteMistakes(note, mistakes, error);
  }
  const raw = parsed.data as Json; // restoreSecrets fills the markers in here, so `parsed` is checked with them
  const missing = restoreSecrets(raw, await readJson(join(root, STORED_FILE)));
  if (missing.length > 0) {
    note(
      `${FIRSTBOOT_FILE}: ${missing.join(', ')} ${missing.length === 1 ? 'says' : 'say'} "${REMOVED_SECRET}" but the sensor has no stored value there; nothing was changed. Write the secret itself.`,
    );
    return undefined;
  }
  try {
    wanted = validateConfig(firstBootSchema, parsed, FIRSTBOOT_FILE);
  } catch (error) {
    return noteMistakes(note, mistakes, error);
  }
  const base = ((await readJson(join(root, IMAGE_AGENT_CONFIG))) ?? {}) as Json;
  const agentRaw = merge(base, (isObject(raw) ? raw['agent'] : undefined) ?? {});
  try {
    validateConfig(mergedAgentSchema, { data: { agent: agentRaw }, lineOf: parsed.lineOf }, FIRSTBOOT_FILE);
  } catch (error) {
    return noteMistakes(note, `the agent settings (the image's with ${FIRSTBOOT_FILE}'s agent: on top) are not valid; nothing was changed:`, error);
  }
  return { wanted, raw, agentRaw };
}

/** Applies envirowatch.yaml when there is one; true when it was. */
async function applyFile(boot: string, root: string, now: () => Date, note: (line: string) => void): Promise<boolean> {
  const source = join(boot, FIRSTBOOT_FILE);
  if (!existsSync(source)) {
    note(
      `no ${FIRSTBOOT_FILE} on the boot partition: keeping the current settings (the image's: DHCP on the wired port, SNMP community "public" from private networks, SSH off)`,
    );
    return false;
  }
  const checked = await readWanted(source, root, note);
  if (!checked) return false;
  const { wanted, raw, agentRaw } = checked;

  // Valid: write everything. The agent's settings hold SNMP secrets: root-only, and the agent
  // (a DynamicUser, which cannot own a file here) gets a copy through systemd's LoadCredential=.
  const agentText = `# Written by envirowatch-firstboot: /${IMAGE_AGENT_CONFIG} with the agent: section of ${FIRSTBOOT_FILE} on top.\n${stringify(agentRaw)}`;
  await write(root, AGENT_CONFIG, agentText, 0o600);
  note('wrote /etc/envirowatch/agent.yaml');
  if (wanted.hostname) {
    await write(root, 'etc/hostname', `${wanted.hostname}\n`);
    const hosts = existsSync(join(root, 'etc/hosts')) ? await readFile(join(root, 'etc/hosts'), 'utf8') : '127.0.0.1\tlocalhost\n';
    const kept = hosts.split('\n').filter((line) => line !== '' && !line.startsWith('127.0.1.1'));
    await write(root, 'etc/hosts', `${[...kept, `127.0.1.1\t${wanted.hostname}`].join('\n')}\n`);
    note(`host name ${wanted.hostname}`);
  }
  const { ethernet, wifi } = wanted.network;
  await write(root, 'etc/systemd/network/10-envirowatch-wired.network', networkFile('Type=ether', ethernet));
  note(`wired network: ${ethernet === 'dhcp' ? 'DHCP' : `${ethernet.address}${ethernet.gateway ? ` via ${ethernet.gateway}` : ''}`}`);
  if (wifi) {
    const ssidHex = Buffer.from(wifi.ssid, 'utf8').toString('hex');
    await write(
      root,
      'etc/wpa_supplicant/wpa_supplicant-wlan0.conf',
      `# Written by envirowatch-firstboot.\nctrl_interface=DIR=/run/wpa_supplicant\ncountry=${wifi.country}\nnetwork={\n\tssid=${ssidHex}\n\tpsk=${wpaPsk(wifi.psk, wifi.ssid)}\n}\n`,
      0o600,
    );
    await write(root, 'etc/systemd/network/20-envirowatch-wifi.network', networkFile('Name=wlan0', wifi.address));
    await rm(join(root, WPA_UNIT_LINK), { force: true });
    await mkdir(dirname(join(root, WPA_UNIT_LINK)), { recursive: true });
    await symlink('/lib/systemd/system/wpa_supplicant@.service', join(root, WPA_UNIT_LINK));
    note(`Wi-Fi: joins "${wifi.ssid}" (${wifi.country}), ${wifi.address === 'dhcp' ? 'DHCP' : wifi.address.address}`);
  } else {
    for (const path of ['etc/wpa_supplicant/wpa_supplicant-wlan0.conf', 'etc/systemd/network/20-envirowatch-wifi.network', WPA_UNIT_LINK])
      await rm(join(root, path), { force: true });
    note('Wi-Fi: off');
  }
  if (wanted.ssh) {
    await mkdir(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
    await write(root, 'root/.ssh/authorized_keys', `${wanted.ssh.authorizedKeys.join('\n')}\n`, 0o600);
    await rm(join(root, SSH_OFF_MARKER), { force: true });
    note(`SSH: on, for root with ${wanted.ssh.authorizedKeys.length} key${wanted.ssh.authorizedKeys.length === 1 ? '' : 's'} (no password login)`);
  } else {
    await rm(join(root, 'root/.ssh/authorized_keys'), { force: true });
    await write(root, SSH_OFF_MARKER, 'envirowatch: SSH is off; put ssh.authorizedKeys in envirowatch.yaml on the boot partition to turn it on.\n');
    note('SSH: off');
  }

  const security = wanted.updates.security ? '1' : '0';
  await write(
    root,
    AUTO_UPGRADES,
    `// Written by envirowatch-firstboot: updates.security in ${FIRSTBOOT_FILE}.\nAPT::Periodic::Update-Package-Lists "${security}";\nAPT::Periodic::Unattended-Upgrade "${security}";\n`,
  );
  note(`security updates: ${wanted.updates.security ? 'on (unattended-upgrades, daily)' : 'off'}`);

  // Secrets off the FAT partition: the full file root-only on the sensor, a blanked copy for the user.
  await write(root, STORED_FILE, stringify(raw), 0o600);
  const blanked = structuredClone(raw);
  for (const path of SECRET_PATHS) eachAt(blanked, path, (parent, key) => ((parent as Record<string | number, Json>)[key] = REMOVED_SECRET));
  await writeFile(
    join(boot, APPLIED_FILE),
    `# Applied ${now().toISOString()}; secrets removed (kept on the sensor). To change settings, edit this,\n# save it as ${FIRSTBOOT_FILE} and restart the sensor; "${REMOVED_SECRET}" keeps a stored secret.\n${stringify(blanked)}`,
  );
  await rm(source);
  note(`applied; ${FIRSTBOOT_FILE} renamed ${APPLIED_FILE} with its secrets removed`);
  return true;
}
