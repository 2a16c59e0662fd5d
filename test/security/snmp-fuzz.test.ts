/**
 * Structure-aware fuzz of the SNMP agent's decoder and request handler (#14), bounded for `npm test`:
 * well-formed SNMPv1/v2c/v3 messages whose communities, user and context names and OCTET STRING
 * values are JavaScript's special names (test/helpers/hostile-inputs.ts), with extreme OIDs,
 * request ids and GETBULK counts, as they are, cut short or with bits flipped.
 *  - decodeMessage returns or throws a BerError, nothing else;
 *  - through the agent (in this process, over loopback UDP, its public entry): every datagram is
 *    counted and none is a bug (internalErrors 0), no reply is larger than MAX_RESPONSE_BYTES, a
 *    v1/v2c request is answered only with the configured community, and a v3 message without a
 *    user's keys earns at most a Report;
 *  - Object.prototype is unchanged afterwards.
 * A failure prints fast-check's seed and path; pass them to fc.assert to replay it.
 */
import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerError, BerReader, Tag } from '../../src/snmp/ber.js';
import { CommunityAccess } from '../../src/snmp/responder/community-access.js';
import { PduType, decodeMessage } from '../../src/snmp/message/message.js';
import { MAX_RESPONSE_BYTES } from '../../src/snmp/responder/request-handler.js';
import type { SnmpAgent } from '../../src/agent/snmp/snmp-agent.js';
import { decodeV3Message } from '../../src/snmp/v3/message.js';
import { agentFixture } from '../helpers/agent-fixture.js';
import { JS_SPECIAL_NAMES, hostileSnmpV2Message, hostileSnmpV3Message, mutatedPackets, objectPrototypeSnapshot } from '../helpers/hostile-inputs.js';
import { startSnmpAgent, type RunningSnmpAgent } from '../helpers/snmp-tools.js';

const COMMUNITY = 'public';
const ENGINE_ID = '800054600512345678';
const V3_USER = { name: 'fuzz-user', authProtocol: 'SHA-256', authPassword: 'fuzz-auth-pass', privProtocol: 'AES', privPassword: 'fuzz-priv-pass' } as const;

/** v1/v2c with every hostile community (and the configured one), v3 with our engine ID: as built, truncated, bit-flipped. */
const hostilePackets = () =>
  mutatedPackets(
    fc.oneof(hostileSnmpV2Message(), { weight: 2, arbitrary: hostileSnmpV2Message([COMMUNITY]) }, hostileSnmpV3Message([Buffer.from(ENGINE_ID, 'hex')])),
  );

/** SNMPv3 messages the USM refused (each answered by a Report when reportable). */
const usmRefusals = (agent: SnmpAgent) => Object.values(agent.usmStats ?? {}).reduce((sum, n) => sum + n, 0);

/** Every datagram lands in exactly one of these. */
function accounted(agent: SnmpAgent): number {
  const { requests, malformed, unsupported, badCommunity, badSource, internalErrors } = agent.counters;
  return requests + malformed + unsupported + badCommunity + badSource + internalErrors + usmRefusals(agent);
}

/** Yields to the event loop until `condition` holds; a stuck agent fails the test instead of hanging it. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 100_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The most the agent may answer `packet` with, judged by the decoder alone. */
function allowedReply(packet: Buffer): 'none' | 'response' | 'report' {
  let decoded;
  try {
    decoded = decodeMessage(packet);
  } catch (error) {
    if (error instanceof BerError) return 'none';
    throw error;
  }
  if (decoded.kind === 'v3') return 'report';
  return decoded.kind === 'request' && decoded.message.community.equals(Buffer.from(COMMUNITY)) ? 'response' : 'none';
}

/** The PDU tag inside an SNMPv3 reply sent in clear (Reports are). */
function v3PduTag(reply: Buffer): number | 'encrypted' {
  const decoded = decodeV3Message(reply);
  if (decoded.kind !== 'message' || decoded.message.data.encrypted) return 'encrypted';
  const scoped = new BerReader(decoded.message.data.scopedPdu);
  scoped.read(Tag.OctetString);
  scoped.read(Tag.OctetString);
  return scoped.read().tag;
}

describe('SNMP decoder and handler fuzz (#14)', () => {
  let running: RunningSnmpAgent;
  let client: Socket;
  const replies: Buffer[] = [];
  const prototypeBefore = objectPrototypeSnapshot();

  beforeAll(async () => {
    const fixture = await agentFixture();
    const snapshot = await fixture.poll();
    running = await startSnmpAgent({ snapshot: () => snapshot, config: { communities: [{ name: COMMUNITY }], v3Users: [V3_USER], engineId: ENGINE_ID } });
    client = createSocket('udp4');
    client.on('message', (reply) => replies.push(reply));
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    client?.close();
    await running?.stop();
  });

  /** Sends one datagram; resolves with the agent's reply once it has counted the datagram, or undefined if it sent none. */
  async function exchange(packet: Buffer): Promise<Buffer | undefined> {
    const { agent } = running;
    const countedBefore = accounted(agent);
    const responsesBefore = agent.counters.responses;
    replies.length = 0;
    client.send(packet, running.port, '127.0.0.1');
    await until(() => accounted(agent) > countedBefore, 'the agent to count the datagram');
    if (agent.counters.responses === responsesBefore) return undefined;
    await until(() => replies.length > 0, 'the reply');
    return replies[0];
  }

  it('no special name is a community unless configured', () => {
    const access = new CommunityAccess([{ name: COMMUNITY }]);
    for (const name of JS_SPECIAL_NAMES) expect(access.check(Buffer.from(name), '127.0.0.1'), name).toBe('badCommunity');
    expect(access.check(Buffer.from(COMMUNITY), '127.0.0.1')).toBe('allowed');
  });

  it('the decoder returns or throws a BerError, whatever the bytes', () => {
    fc.assert(
      fc.property(hostilePackets(), (packet) => {
        try {
          decodeMessage(packet);
        } catch (error) {
          expect(error).toBeInstanceOf(BerError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('the agent counts every datagram, never fails on one, answers within the size cap and only whom it should', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostilePackets().filter((packet) => packet.length > 0),
        async (packet) => {
          const allowed = allowedReply(packet);
          const badCommunityBefore = running.agent.counters.badCommunity;
          const reply = await exchange(packet);
          expect(running.agent.counters.internalErrors).toBe(0);
          if (allowed === 'none') expect(reply).toBeUndefined();
          if (reply === undefined) return;
          expect(reply.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
          if (allowed === 'report') expect(v3PduTag(reply)).toBe(PduType.Report);
          else expect(running.agent.counters.badCommunity).toBe(badCommunityBefore);
        },
      ),
      { numRuns: 3000 },
    );
    const { requests, badCommunity, malformed, unsupported } = running.agent.counters;
    // The mix reached every path: served requests, refused communities, malformed and unsupported packets, v3 refusals.
    const paths = { requests, badCommunity, malformed, unsupported, usmRefusals: usmRefusals(running.agent) };
    expect(Math.min(...Object.values(paths)), JSON.stringify(paths)).toBeGreaterThan(0);
    expect(objectPrototypeSnapshot()).toEqual(prototypeBefore);
  });
});
