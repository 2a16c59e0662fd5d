/** The USM (RFC 3414) without the tools: its crypto against the RFC's vectors, its time window. */
import { describe, expect, it } from 'vitest';
import type { SnmpV3User } from '../../../src/snmp/v3/config.js';
import { MsgFlags, encodeV3Message } from '../../../src/snmp/v3/message.js';
import { UsmEngine } from '../../../src/snmp/v3/usm.js';
import { AUTH_PROTOCOLS, aesDecrypt, aesEncrypt, computeMac, localizeKey, passwordToKey, privacyKey } from '../../../src/snmp/v3/usm-crypto.js';
import { tlv } from '../../helpers/snmp-packets.js';

const ENGINE_ID = '8000546005656e7669726f'; // 80005460 (21600, new format), 05 (octets), "enviro"
const USERS: SnmpV3User[] = [{ name: 'alice', authProtocol: 'SHA-256', authPassword: 'alice-auth-pass', privProtocol: 'AES', privPassword: 'alice-priv-pass' }];

describe('USM crypto (RFC 3414 appendix A.3)', () => {
  const engineId = Buffer.from('000000000000000000000002', 'hex');
  it('A.3.1: MD5 password-to-key and localisation of "maplesyrup"', () => {
    const ku = passwordToKey('md5', 'maplesyrup');
    expect(ku.toString('hex')).toBe('9faf3283884e92834ebc9847d8edd963');
    expect(localizeKey('md5', ku, engineId).toString('hex')).toBe('526f5eed9fcce26f8964c2930787d82b');
  });

  it('A.3.2: SHA-1 password-to-key and localisation of "maplesyrup"', () => {
    const ku = passwordToKey('sha1', 'maplesyrup');
    expect(ku.toString('hex')).toBe('9fb5cc0381497b3793528939ff788d5d79145211');
    expect(localizeKey('sha1', ku, engineId).toString('hex')).toBe('6695febc9288e36282235fc7151f128497b38f3f');
  });

  it('AES-128-CFB round-trips without padding, and the IV depends on boots, time and salt', () => {
    const key = Buffer.alloc(16, 7);
    const salt = Buffer.from('0102030405060708', 'hex');
    const plaintext = Buffer.from('a scoped PDU of 29 bytes.....');
    const ciphertext = aesEncrypt({ key, boots: 1, time: 42, salt }, plaintext);
    expect(ciphertext).toHaveLength(plaintext.length);
    expect(aesDecrypt({ key, boots: 1, time: 42, salt }, ciphertext)).toEqual(plaintext);
    expect(aesDecrypt({ key, boots: 1, time: 43, salt }, ciphertext)).not.toEqual(plaintext);
  });
});

describe('USM time window (RFC 3414 §3.2 step 7), without the tools', () => {
  const engineId = Buffer.from(ENGINE_ID, 'hex');
  const alice = USERS[0]!;
  /** A manager's authPriv GET for sysName.0 claiming `boots` and `time`, sealed as RFC 3414/3826 say. */
  function request(boots: number, time: number): Buffer {
    const { hash } = AUTH_PROTOCOLS['SHA-256'];
    const authKey = localizeKey(hash, passwordToKey(hash, alice.authPassword), engineId);
    const privKey = privacyKey('AES', hash, localizeKey(hash, passwordToKey(hash, alice.privPassword), engineId));
    // ScopedPDU: 30 LL { 04 00 contextEngineID, 04 00 contextName, A0 GET { id 7, 0, 0, [ sysName.0 NULL ] } }
    const scoped = tlv(
      0x30,
      tlv(0x04, []),
      tlv(0x04, []),
      tlv(0xa0, tlv(0x02, [7]), tlv(0x02, [0]), tlv(0x02, [0]), tlv(0x30, tlv(0x30, tlv(0x06, [0x2b, 6, 1, 2, 1, 1, 5, 0]), [0x05, 0x00]))),
    );
    const salt = Buffer.from('0001020304050607', 'hex');
    const data = tlv(0x04, aesEncrypt({ key: privKey, boots, time, salt }, scoped));
    const security = { engineId, boots, time, userName: Buffer.from('alice'), authParams: Buffer.alloc(24), privParams: salt };
    const { packet, authParamsOffset } = encodeV3Message({ msgId: 1, flags: MsgFlags.auth | MsgFlags.priv | MsgFlags.reportable, security, data });
    computeMac(AUTH_PROTOCOLS['SHA-256'], authKey, packet).copy(packet, authParamsOffset);
    return packet;
  }

  it('accepts our boots with a time up to 150 s either side, reports anything else', () => {
    let now = 1_000_000;
    const engine = new UsmEngine({ engineId, users: [alice], boots: 3, now: () => now, startedAt: 0 });
    expect(engine.time()).toBe(1000);
    for (const time of [850, 1000, 1150]) expect(engine.process(request(3, time)).kind, String(time)).toBe('request');
    for (const [boots, time] of [
      [3, 849],
      [3, 1151],
      [2, 1000],
      [4, 1000],
    ] as const) {
      const outcome = engine.process(request(boots, time));
      expect(outcome.kind === 'report' && outcome.stat, `${boots},${time}`).toBe('notInTimeWindows');
    }
    expect(engine.stats.notInTimeWindows).toBe(4);
    now += 100_000;
    expect(engine.process(request(3, 1100)).kind).toBe('request');
    expect(engine.stats).toMatchObject({ wrongDigests: 0, decryptionErrors: 0 });
  });
});
