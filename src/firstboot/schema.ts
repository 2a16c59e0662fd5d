/**
 * envirowatch.yaml on the SD card's FAT partition: what a user sets before the first boot, from
 * any laptop. The sensor's own settings go under `agent:` with exactly the keys of agent.yaml
 * (the same schema check-config uses); the rest is the machine: host name, network, SSH.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { agentConfigSchema } from '../agent/config/schema.js';

const ipv4 = z.string().refine((text) => isIP(text) === 4, { message: 'must be an IPv4 address, e.g. 192.168.1.1' });
const cidr = z.string().refine(
  (text) => {
    const [address, prefix, extra] = text.split('/');
    return extra === undefined && isIP(address ?? '') === 4 && /^\d{1,2}$/.test(prefix ?? '') && Number(prefix) <= 32;
  },
  { message: 'must be an IPv4 address with its prefix length, e.g. 192.168.1.20/24' },
);

/** `dhcp`, or a fixed address. */
const addressing = z.union([z.literal('dhcp'), z.strictObject({ address: cidr, gateway: ipv4.optional(), dns: z.array(ipv4).default([]) })], {
  error: 'must be dhcp or { address: 192.168.1.20/24, gateway: 192.168.1.1, dns: [192.168.1.1] }',
});

export const firstBootSchema = z.strictObject({
  /** The sensor's name on the network and in SNMP sysName (letters, digits, hyphens). */
  hostname: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen')
    .optional(),
  network: z
    .strictObject({
      /** The wired port: dhcp (the default) or a fixed address. */
      ethernet: addressing.default('dhcp'),
      /** Wi-Fi (Pi 3/4/Zero 2 W): joined at boot when given. */
      wifi: z
        .strictObject({
          ssid: z.string().min(1).max(32, 'must be at most 32 bytes'),
          /** WPA2 passphrase; stored on the sensor as its derived key and removed from this file. */
          psk: z.string().min(8, 'must be 8 to 63 characters').max(63, 'must be 8 to 63 characters'),
          /** Where the sensor is (radio rules), e.g. DE, GB, US. */
          country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as DE, GB or US'),
          address: addressing.default('dhcp'),
        })
        .optional(),
    })
    .prefault({}),
  /** SSH stays off unless a public key is given; there is no password login. */
  ssh: z
    .strictObject({
      authorizedKeys: z
        .array(
          z
            .string()
            .regex(
              /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+=*( .*)?$/,
              'must be one public key line, e.g. "ssh-ed25519 AAAA... you@laptop"',
            ),
        )
        .min(1, 'needs at least one key'),
    })
    .optional(),
  /** Debian's security updates, installed by unattended-upgrades (once a day, see image-build/README.md). */
  updates: z
    .strictObject({
      /** true: on (the image's default); false: off (apt-daily timers still run, but fetch and install nothing). */
      security: z.boolean().default(true),
    })
    .prefault({}),
  /** Settings of the agent, exactly as in /etc/envirowatch/agent.yaml (merged over the image's). */
  agent: agentConfigSchema.optional(),
});

export type FirstBoot = z.output<typeof firstBootSchema>;

/** Paths (in the file's raw form) of values that are secrets: removed from the FAT partition once applied. */
export const SECRET_PATHS: readonly (readonly (string | '*')[])[] = [
  ['network', 'wifi', 'psk'],
  ['agent', 'snmp', 'communities', '*', 'name'],
  ['agent', 'snmp', 'v3Users', '*', 'authPassword'],
  ['agent', 'snmp', 'v3Users', '*', 'privPassword'],
  ['agent', 'snmp', 'notifications', 'receivers', '*', 'community'],
  ['agent', 'snmp', 'notifications', 'receivers', '*', 'v3', 'authPassword'],
  ['agent', 'snmp', 'notifications', 'receivers', '*', 'v3', 'privPassword'],
];

/** What replaces a secret in the applied copy left on the FAT partition; given back, it means "keep the stored one". */
export const REMOVED_SECRET = '<removed: stored on the sensor>';
