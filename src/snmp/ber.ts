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

/** Bytes of a definite length field: short form below 128, else 0x8n and n bytes. */
function lengthFieldSize(length: number): number {
  return length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 4;
}

/** Writes `length` as `lengthFieldSize(length)` bytes at `offset`; returns the offset after it. */
function writeLength(out: Buffer, offset: number, length: number): number {
  const size = lengthFieldSize(length);
  if (size === 1) {
    out[offset] = length;
    return offset + 1;
  }
  out[offset] = 0x80 | (size - 1);
  for (let i = size - 1; i >= 1; i--, length >>>= 8) out[offset + i] = length & 0xff;
  return offset + size;
}

/** The encoded size of a TLV with `contentLength` bytes of contents (single-byte tag). */
export function tlvSize(contentLength: number): number {
  return 1 + lengthFieldSize(contentLength) + contentLength;
}

export function tlv(tag: number, value: Buffer): Buffer {
  return sequence(tag, [value]);
}

/** One TLV around `parts`, allocated once: responses are built from many small parts. */
export function sequence(tag: number, parts: readonly Buffer[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = Buffer.allocUnsafe(tlvSize(length));
  out[0] = tag;
  let offset = writeLength(out, 1, length);
  for (const part of parts) offset += part.copy(out, offset);
  return out;
}

/** Content bytes of `value` in two's complement, shortest form: n bytes hold [-2^(8n-1), 2^(8n-1)). */
export function integerContentLength(value: number): number {
  let length = 1;
  for (let limit = 0x80; value >= limit || value < -limit; limit *= 256) length += 1;
  return length;
}

/** Two's complement, shortest form; `tag` lets TimeTicks/Gauge32 (unsigned) reuse it. */
export function encodeInteger(value: number, tag: number = Tag.Integer): Buffer {
  if (!Number.isInteger(value)) throw new RangeError(`not an integer: ${value}`);
  const length = integerContentLength(value);
  const out = Buffer.allocUnsafe(tlvSize(length));
  out[0] = tag;
  const start = writeLength(out, 1, length);
  // Floor division, exact for any integer a double holds, keeps the sign of negative values (`>>` would cut to 32 bits).
  for (let i = out.length - 1, rest = value; i >= start; i--, rest = Math.floor(rest / 256)) out[i] = ((rest % 256) + 256) % 256;
  return out;
}

/** Bytes of one OID subidentifier, base 128. */
function subidentifierSize(subid: number): number {
  let size = 1;
  for (let rest = Math.floor(subid / 128); rest > 0; rest = Math.floor(rest / 128)) size += 1;
  return size;
}

export function encodeOid(arcs: readonly number[]): Buffer {
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError(`cannot encode OID ${arcs.join('.')}`);
  // X.690 §8.19.4: the first two arcs share the first subidentifier.
  const subid = (i: number) => (i === 1 ? arcs[0]! * 40 + arcs[1]! : arcs[i]!);
  let length = 0;
  for (let i = 1; i < arcs.length; i++) length += subidentifierSize(subid(i));
  const out = Buffer.allocUnsafe(tlvSize(length));
  out[0] = Tag.Oid;
  let offset = writeLength(out, 1, length);
  for (let i = 1; i < arcs.length; i++) {
    const size = subidentifierSize(subid(i));
    // Base 128, most significant group first, the high bit set on all but the last.
    for (let k = size - 1, rest = subid(i); k >= 0; k--, rest = Math.floor(rest / 128)) out[offset + k] = (rest % 128) | (k === size - 1 ? 0 : 0x80);
    offset += size;
  }
  return out;
}

export function encodeString(text: string | Buffer): Buffer {
  return tlv(Tag.OctetString, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
}

export const encodeNull = (tag: number = Tag.Null): Buffer => Buffer.from([tag, 0]);
