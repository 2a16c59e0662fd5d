/**
 * Hostile and broken packets against our agent over real UDP: the packets that kill net-snmp's
 * Agent (test/snmp/net-snmp-defects.test.ts), malformed BER, wrong communities and sources. After each,
 * the agent must still answer a real snmpwalk.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { BIG_BULK, CRASH_PACKETS, HUGE_BULK, PDU, countVarbinds, request, tlv } from '../../helpers/snmp-packets.js';
import { requireNetSnmpTools, runTool, sendRaw, startSnmpAgent, type RunningSnmpAgent } from '../../helpers/snmp-tools.js';
import type { SnmpConfig } from '../../../src/agent/snmp/config.js';

const TABLE = '1.3.6.1.4.1.21600.1.5.1.1.1';
let running: RunningSnmpAgent | undefined;

beforeAll(() => requireNetSnmpTools());
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(config: Partial<SnmpConfig> = {}): Promise<RunningSnmpAgent> {
  const fixture = await agentFixture();
  await fixture.poll();
  running = await startSnmpAgent({ snapshot: () => fixture.agent.snapshot(), config });
  return running;
}

async function expectStillAnswering(agent: RunningSnmpAgent): Promise<void> {
  const walk = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-t', '2', '-r', '0', agent.target, TABLE]);
  expect(walk.stderr).toBe('');
  const lines = walk.stdout.split('\n').filter(Boolean);
  // 5 rows × 9 columns; the walk ends where the table does (the SNMP entity's objects follow it).
  expect(lines).toHaveLength(45);
  expect(lines[44]).toContain(`${TABLE.slice(2)}.9.5 = `);
  expect(agent.agent.counters.internalErrors).toBe(0);
}

describe('packets that kill net-snmp 3.29', () => {
  for (const [name, packet] of Object.entries(CRASH_PACKETS)) {
    it(`survives ${name}`, async () => {
      const agent = await start();
      await sendRaw(agent.port, packet);
      await expectStillAnswering(agent);
    });
  }

  it('answers the first-arc packet as OID 2.40.1.2 (no such object) instead of misreading it', async () => {
    const agent = await start();
    const reply = await sendRaw(agent.port, CRASH_PACKETS['OID whose first arc decodes as 3']!);
    // Ends with the varbind: 30 07 | 06 03 78 01 02 (the same OID) | 80 00 (noSuchObject).
    expect(reply!.subarray(-9)).toEqual(Buffer.from([0x30, 0x07, 0x06, 0x03, 0x78, 0x01, 0x02, 0x80, 0x00]));
  });

  it('treats negative non-repeaters as 0: every varbind repeats (RFC 3416 §4.2.3)', async () => {
    const agent = await start();
    // non-repeaters -1, max-repetitions 2, two varbinds from 1.3 (2b) and 1.3.6 (2b 06): 2 × 2 = 4.
    const reply = await sendRaw(agent.port, request({ pdu: PDU.getBulk, field2: [0xff], field3: [0x02], oids: [[0x2b], [0x2b, 0x06]] }));
    expect(countVarbinds(reply!)).toBe(4);
  });

  it('counts the zero-length OID as malformed', async () => {
    const agent = await start();
    expect(await sendRaw(agent.port, CRASH_PACKETS['zero-length OID']!, 300)).toBeUndefined();
    expect(agent.agent.counters.malformed).toBe(1);
  });

  it('answers GETBULK max-repetitions 2^31-1 at once, within one unfragmented datagram', async () => {
    const agent = await start();
    const started = performance.now();
    const reply = await sendRaw(agent.port, HUGE_BULK, 2000);
    expect(performance.now() - started).toBeLessThan(500);
    expect(reply).toBeDefined();
    expect(reply!.length).toBeLessThanOrEqual(1472);
    await expectStillAnswering(agent);
  });

  it('answers GETBULK max-repetitions 100000 from the start of the MIB with as much of the view as one datagram holds', async () => {
    const agent = await start();
    const reply = await sendRaw(agent.port, BIG_BULK, 2000);
    expect(reply).toBeDefined();
    expect(reply!.length).toBeLessThanOrEqual(1472);
    // The system group with sysORTable and the table alone exceed one datagram: it is full (no
    // varbind of this view is 100 bytes long), and does not reach endOfMibView.
    expect(reply!.length).toBeGreaterThan(1472 - 100);
    expect(countVarbinds(reply!)).toBeGreaterThan(20);
    expect(reply!.subarray(-2)).not.toEqual(Buffer.from([0x82, 0x00]));
  });

  it('answers a GET whose response would exceed 1472 bytes with tooBig instead of a fragmented datagram', async () => {
    const agent = await start();
    const oids = Array.from({ length: 60 }, () => '1.3.6.1.2.1.1.1.0'); // 60 × sysDescr.0 ≈ 2.2 kB
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', agent.target, ...oids]);
    expect(result.stderr).toMatch(/\(tooBig\)/);
    expect(agent.agent.counters.tooBig).toBe(1);
  });

  it('repeats max-repetitions per repeater (RFC 3416 §4.2.3), seen by snmpbulkget', async () => {
    const agent = await start();
    // Non-repeater sysDescr.0 → sysObjectID.0; repeaters sensorType and sensorValue columns × 3 rows.
    const result = await runTool('snmpbulkget', ['-v2c', '-c', 'public', '-Cn1', '-Cr3', agent.target, '1.3.6.1.2.1.1.1.0', `${TABLE}.2`, `${TABLE}.3`]);
    const oids = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' = ')[0]);
    expect(oids).toEqual([
      'iso.3.6.1.2.1.1.2.0',
      `iso.${TABLE.slice(2)}.2.1`,
      `iso.${TABLE.slice(2)}.3.1`,
      `iso.${TABLE.slice(2)}.2.2`,
      `iso.${TABLE.slice(2)}.3.2`,
      `iso.${TABLE.slice(2)}.2.3`,
      `iso.${TABLE.slice(2)}.3.3`,
    ]);
  });
});

describe('malformed and unsupported packets', () => {
  const garbage: Record<string, Buffer> = {
    'not BER': Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    'empty datagram': Buffer.alloc(0),
    // 30 82 FF FF: a SEQUENCE claiming 65535 bytes with none present.
    'length past the end': Buffer.from([0x30, 0x82, 0xff, 0xff]),
    // 30 80: indefinite length, forbidden in SNMP.
    'indefinite length': Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]),
    'truncated request': request().subarray(0, 20),
    // request-id 02 09 01 00 … : a 9-byte INTEGER, outside Integer32.
    'oversized integer': request({ requestId: [0x01, 0, 0, 0, 0, 0, 0, 0, 0] }),
    // OID subidentifier 90 80 80 80 80 00 = 16 × 128^5 = 2^39, above 2^32-1.
    'OID arc above 2^32-1': request({ oids: [[0x2b, 0x90, 0x80, 0x80, 0x80, 0x80, 0x00]] }),
    'varbind without a value': tlv(
      0x30,
      tlv(0x02, [1]),
      tlv(0x04, Buffer.from('public')),
      tlv(PDU.get, tlv(0x02, [1]), tlv(0x02, [0]), tlv(0x02, [0]), tlv(0x30, tlv(0x30, tlv(0x06, [0x2b])))),
    ),
  };

  it('drops each, counts it as malformed, logs once per 10 s with the count, and keeps serving', async () => {
    const agent = await start();
    for (const packet of Object.values(garbage)) expect(await sendRaw(agent.port, packet, 200)).toBeUndefined();
    const count = Object.keys(garbage).length;
    expect(agent.agent.counters.malformed).toBe(count);
    const logged = () => agent.logs.filter((l) => l.line.includes('malformed'));
    expect(logged()).toHaveLength(1);
    agent.clock.advance(10_000);
    await sendRaw(agent.port, garbage['not BER']!, 200);
    expect(logged()).toHaveLength(2);
    expect(logged()[1]!.line).toContain(`suppressed=${count - 1}`);
    await expectStillAnswering(agent);
  });

  it('ignores SNMPv3, and GETBULK in SNMPv1, counting them as unsupported', async () => {
    const agent = await start();
    expect(await sendRaw(agent.port, request({ version: 3 }), 200)).toBeUndefined();
    expect(await sendRaw(agent.port, request({ version: 0, pdu: PDU.getBulk }), 200)).toBeUndefined();
    expect(agent.agent.counters.unsupported).toBe(2);
    await expectStillAnswering(agent);
  });
});

describe('access control', () => {
  it('gives a wrong community no answer and counts it', async () => {
    const agent = await start();
    const result = await runTool('snmpwalk', ['-v2c', '-c', 'private', '-t', '1', '-r', '0', agent.target, TABLE]);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Timeout/);
    expect(agent.agent.counters.badCommunity).toBe(1);
    expect(agent.agent.counters.responses).toBe(0);
  });

  it('gives a source outside the community networks no answer', async () => {
    const agent = await start({ communities: [{ name: 'public', sources: ['10.0.0.0/8', 'fd00::/8'] }] });
    const result = await runTool('snmpget', ['-v1', '-c', 'public', '-t', '1', '-r', '0', agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(result.stderr).toMatch(/Timeout/);
    expect(agent.agent.counters.badSource).toBe(1);
  });

  it('answers a source inside them', async () => {
    const agent = await start({ communities: [{ name: 'public', sources: ['127.0.0.0/8'] }] });
    await expectStillAnswering(agent);
  });

  it('answers nobody when no community is configured (the default)', async () => {
    const agent = await start({ communities: [] });
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', '-t', '1', '-r', '0', agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(result.stderr).toMatch(/Timeout/);
    expect(agent.logs.some((l) => l.line.includes('no community configured'))).toBe(true);
  });
});
