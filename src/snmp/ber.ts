/**
 * The subset of BER (X.690) that SNMPv1/v2c messages use, strict on input.
 *
 * Why our own instead of net-snmp's codec: net-snmp 3.29 does not export its Message/PDU classes
 * (only its Agent, which we do not use, see README.md), and its BER layer (`asn1-ber`) decodes
 * leniently: OIDs with a first subidentifier ≥ 120 come out as "3.x", zero-length OIDs and
 * out-of-range integers pass through, and the agent then throws on them. Here every length is
 * checked against the bytes actually present, so a hostile packet costs at most one linear pass
 * over its own bytes and ends in a `BerError`, never in anything else.
 */
import { EnvirowatchError } from '../common/errors.js';

/** A packet that is not the BER we accept; counted as malformed and dropped. */
export class BerError extends EnvirowatchError {
  override name = 'BerError';
}

export const Tag = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Sequence: 0x30,
  IpAddress: 0x40,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
} as const;

/** SMI limits (RFC 2578 §3.5 and §7.1.3): at most 128 subidentifiers, each below 2³². */
const MAX_OID_ARCS = 128;
const MAX_ARC = 0xffff_ffff;

export interface Tlv {
  readonly tag: number;
  /** The value bytes (a view into the packet, not a copy). */
  readonly value: Buffer;
}

/** Reads TLVs one after another from `buffer`. Only single-byte tags and definite lengths. */
export class BerReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  read(expectedTag?: number): Tlv {
    const { buffer } = this;
    if (this.offset + 2 > buffer.length) throw new BerError('truncated TLV');
    const tag = buffer[this.offset]!;
    // Tag number 31 means a multi-byte tag, which SNMP never uses.
    if ((tag & 0x1f) === 0x1f) throw new BerError(`multi-byte tag 0x${tag.toString(16)}`);
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw new BerError(`expected tag 0x${expectedTag.toString(16)}, got 0x${tag.toString(16)}`);
    }
    let length = buffer[this.offset + 1]!;
    let start = this.offset + 2;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      // 0x80 is the indefinite form (forbidden in SNMP); > 3 length bytes exceeds any UDP datagram.
      if (bytes === 0 || bytes > 3) throw new BerError(`unsupported length form 0x${length.toString(16)}`);
      if (start + bytes > buffer.length) throw new BerError('truncated length');
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + buffer[start + i]!;
      start += bytes;
    }
    if (start + length > buffer.length) throw new BerError(`length ${length} runs past the end of the data`);
    this.offset = start + length;
    return { tag, value: buffer.subarray(start, start + length) };
  }

  readInteger(): number {
    return decodeInteger(this.read(Tag.Integer).value);
  }

  readOid(): number[] {
    return decodeOid(this.read(Tag.Oid).value);
  }

  /** Reads a constructed TLV and returns a reader over its contents. */
  readSequence(tag: number = Tag.Sequence): BerReader {
    return new BerReader(this.read(tag).value);
  }
}

/** A signed Integer32, as every INTEGER in an SNMP header is (RFC 3416 §3). */
export function decodeInteger(value: Buffer): number {
  if (value.length === 0 || value.length > 5) throw new BerError(`integer of ${value.length} bytes`);
  let result = 0;
  for (const byte of value) result = result * 256 + byte;
  if (value[0]! >= 0x80) result -= 2 ** (8 * value.length);
  if (result < -(2 ** 31) || result > 2 ** 31 - 1) throw new BerError(`integer ${result} outside Integer32`);
  return result;
}

export function decodeOid(value: Buffer): number[] {
  if (value.length === 0) throw new BerError('zero-length OID');
  const arcs: number[] = [];
  let current = 0;
  let started = false;
  for (const byte of value) {
    // A leading 0x80 would pad a subidentifier; X.690 §8.19.2 forbids it.
    if (!started && byte === 0x80) throw new BerError('padded OID subidentifier');
    started = true;
    current = current * 128 + (byte & 0x7f);
    if (current > MAX_ARC + 80) throw new BerError('OID subidentifier above 2^32-1');
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      // X.690 §8.19.4: the first subidentifier packs two arcs; only 0, 1 and 2 exist as first arcs,
      // so everything from 80 up belongs to arc 2 (this is where a naive floor(v / 40) yields "3.x").
      const first = current < 40 ? 0 : current < 80 ? 1 : 2;
      arcs.push(first, current - first * 40);
    } else {
      arcs.push(current);
    }
    if (arcs.length > MAX_OID_ARCS) throw new BerError(`OID longer than ${MAX_OID_ARCS} arcs`);
    if (arcs.at(-1)! > MAX_ARC) throw new BerError('OID subidentifier above 2^32-1');
    current = 0;
    started = false;
  }
  if (started) throw new BerError('truncated OID subidentifier');
  return arcs;
}

// --- encoding ---------------------------------------------------------------------------

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  if (length < 0x10000) return Buffer.from([0x82, length >> 8, length & 0xff]);
  return Buffer.from([0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
}

/** The encoded size of a TLV with `contentLength` bytes of contents (single-byte tag). */
export function tlvSize(contentLength: number): number {
  return 1 + encodeLength(contentLength).length + contentLength;
}

export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

export function sequence(tag: number, parts: readonly Buffer[]): Buffer {
  return tlv(tag, Buffer.concat(parts));
}

/** Two's complement, shortest form; `tag` lets TimeTicks/Gauge32 (unsigned) reuse it. */
export function encodeInteger(value: number, tag: number = Tag.Integer): Buffer {
  if (!Number.isInteger(value)) throw new RangeError(`not an integer: ${value}`);
  let big = BigInt(value);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(big & 0xffn));
    big >>= 8n;
  } while (!((big === 0n && bytes[0]! < 0x80) || (big === -1n && bytes[0]! >= 0x80)));
  return tlv(tag, Buffer.from(bytes));
}

export function encodeOid(arcs: readonly number[]): Buffer {
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError(`cannot encode OID ${arcs.join('.')}`);
  const subids = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const subid of subids) {
    const group = [subid & 0x7f];
    for (let rest = Math.floor(subid / 128); rest > 0; rest = Math.floor(rest / 128)) group.unshift((rest & 0x7f) | 0x80);
    bytes.push(...group);
  }
  return tlv(Tag.Oid, Buffer.from(bytes));
}

export function encodeString(text: string | Buffer): Buffer {
  return tlv(Tag.OctetString, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
}

export const encodeNull = (tag: number = Tag.Null): Buffer => Buffer.from([tag, 0]);
