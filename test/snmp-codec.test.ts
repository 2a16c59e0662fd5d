/** The BER subset, the config schema and the log limiter, without sockets. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/common/clock.js';
import { createLogger } from '../src/common/logger.js';
import { BerError, decodeInteger, decodeOid, encodeInteger, encodeOid } from '../src/agent/snmp/ber.js';
import { snmpConfigSchema } from '../src/agent/snmp/config.js';
import { decodeMessage } from '../src/agent/snmp/message.js';
import { RateLimitedLog } from '../src/common/rate-limited-log.js';
import { PDU, request } from './helpers/snmp-packets.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('BER integers', () => {
  it.each([
    [0, '02 01 00'],
    [127, '02 01 7f'],
    [128, '02 02 00 80'], // leading 00 keeps it positive
    [-1, '02 01 ff'],
    [-129, '02 02 ff 7f'],
    [2 ** 31 - 1, '02 04 7f ff ff ff'],
    [-(2 ** 31), '02 04 80 00 00 00'],
  ])('%i ⇄ %s', (value, encoded) => {
    expect(encodeInteger(value)).toEqual(hex(encoded));
    expect(decodeInteger(hex(encoded).subarray(2))).toBe(value);
  });

  it('rejects empty and out-of-Integer32 contents', () => {
    expect(() => decodeInteger(Buffer.alloc(0))).toThrow(BerError);
    expect(() => decodeInteger(hex('00 80 00 00 00'))).toThrow(/outside Integer32/); // 2^31
  });
});

describe('BER OIDs', () => {
  it('round-trips 1.3.6.1.4.1.21600.1.5 (21600 = 81 a8 60 in base 128)', () => {
    expect(encodeOid([1, 3, 6, 1, 4, 1, 21600, 1, 5])).toEqual(hex('06 0a 2b 06 01 04 01 81 a8 60 01 05'));
    expect(decodeOid(hex('2b 06 01 04 01 81 a8 60 01 05'))).toEqual([1, 3, 6, 1, 4, 1, 21600, 1, 5]);
  });

  it('reads a first subidentifier ≥ 80 as arc 2 (0x78 = 120 is 2.40), never as arc 3', () => {
    expect(decodeOid(hex('78 01'))).toEqual([2, 40, 1]);
  });

  it('rejects zero-length, truncated, padded and over-large subidentifiers', () => {
    expect(() => decodeOid(Buffer.alloc(0))).toThrow(/zero-length/);
    expect(() => decodeOid(hex('2b 86'))).toThrow(/truncated/); // continuation bit on the last byte
    expect(() => decodeOid(hex('2b 80 01'))).toThrow(/padded/);
    expect(() => decodeOid(hex('2b 90 80 80 80 00'))).toThrow(/2\^32-1/); // 2^32
    expect(decodeOid(hex('2b 8f ff ff ff 7f'))).toEqual([1, 3, 2 ** 32 - 1]);
  });
});

describe('decodeMessage', () => {
  it('decodes a v2c GetBulk with its two counters', () => {
    const decoded = decodeMessage(request({ pdu: PDU.getBulk, requestId: [0x12, 0x34], field2: [0xff], field3: [0x0a] }));
    expect(decoded).toMatchObject({ kind: 'request', message: { version: 1, pduType: 0xa5, requestId: 0x1234, field2: -1, field3: 10, oids: [[1, 3, 6, 1, 2, 1, 1, 1, 0]] } });
  });

  it('rejects trailing bytes after the message', () => {
    expect(() => decodeMessage(Buffer.concat([request(), hex('00')]))).toThrow(BerError);
  });
});

describe('snmpConfigSchema', () => {
  it('defaults to every IPv4 address on port 161 with no community at all', () => {
    expect(snmpConfigSchema.parse({})).toEqual({
      mode: 'agent', agentx: { socket: '/var/agentx/master', timeout: 5000, reconnectMaxDelay: 30_000 }, addresses: ['0.0.0.0'], port: 161, communities: [], sysContact: '', sysLocation: '', sysName: null,
      v3Users: [], engineId: null, engineBootsFile: null, notifications: { receivers: [] },
    });
  });

  it('reports every bad key at once', () => {
    const result = snmpConfigSchema.safeParse({ mode: 'proxy', addresses: ['localhost'], port: 70000, communities: [{ name: 'public', sources: ['10.0.0.0/33', '::1'] }], colour: 'red' });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(['', 'addresses.0', 'communities.0.sources.0', 'mode', 'port']);
  });
});

describe('RateLimitedLog', () => {
  it('logs the first occurrence, then at most one line per interval with the suppressed count', () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const log = new RateLimitedLog(createLogger({ sink: (_level, line) => lines.push(line) }), clock, 10_000);
    for (let i = 0; i < 5; i++) log.warn('malformed', 'bad packet', () => ({ n: i }));
    expect(lines).toHaveLength(1);
    clock.advance(9_999);
    log.warn('malformed', 'bad packet', () => ({}));
    expect(lines).toHaveLength(1);
    clock.advance(1);
    log.warn('malformed', 'bad packet', () => ({}));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('suppressed=5');
    log.warn('other', 'different kind', () => ({}));
    expect(lines).toHaveLength(3);
  });
});
