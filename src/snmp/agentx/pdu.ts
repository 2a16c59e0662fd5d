/**
 * AgentX PDUs (RFC 2741 §6): the 20-byte header, the subset of PDUs a read-only subagent sends
 * and receives, and a stream framer. Pure: no sockets. Every length is checked against the bytes
 * present; a PDU that does not parse throws AgentxParseError, a stream whose framing is lost
 * (bad version, absurd length) throws AgentxFramingError.
 *
 * We always send in network byte order (NETWORK_BYTE_ORDER flag set); received PDUs are read in
 * the byte order their header flag says (§5.1), since a master may answer in either.
 */
import { EnvirowatchError } from '../../common/errors.js';
import type { Varbind, VarbindValue } from '../message/message.js';
import type { Oid } from '../oid.js';

/** §6.1 h.type. */
export const AgentxType = {
  Open: 1,
  Close: 2,
  Register: 3,
  Unregister: 4,
  Get: 5,
  GetNext: 6,
  GetBulk: 7,
  TestSet: 8,
  CommitSet: 9,
  UndoSet: 10,
  CleanupSet: 11,
  Notify: 12,
  Ping: 13,
  IndexAllocate: 14,
  IndexDeallocate: 15,
  AddAgentCaps: 16,
  RemoveAgentCaps: 17,
  Response: 18,
} as const;

/** §6.1 h.flags bits. */
export const AgentxFlag = {
  InstanceRegistration: 0x01,
  NewIndex: 0x02,
  AnyIndex: 0x04,
  NonDefaultContext: 0x08,
  NetworkByteOrder: 0x10,
} as const;

/** §6.2.16 res.error values used here (SNMP error-status values 0–18 are also allowed). */
export const AgentxError = {
  noAgentXError: 0,
  genErr: 5,
  notWritable: 17,
  openFailed: 256,
  notOpen: 257,
  duplicateRegistration: 263,
  unknownRegistration: 264,
  parseError: 266,
  requestDenied: 267,
  processingError: 268,
} as const;

/** §6.2.2 r.reason. */
export const CloseReason = { other: 1, parseError: 2, protocolError: 3, timeouts: 4, shutdown: 5, byManager: 6 } as const;

/** §5.4 v.type. */
export const AgentxValueType = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  ObjectIdentifier: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  noSuchObject: 128,
  noSuchInstance: 129,
  endOfMibView: 130,
} as const;

export const HEADER_BYTES = 20;
/** Largest payload accepted: far above anything a read-only exchange needs, small enough to bound memory. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** RFC 2578 §3.5: at most 128 sub-identifiers. */
const MAX_SUBIDS = 128;
const INTERNET = [1, 3, 6, 1] as const;

/** A PDU that does not parse; the stream is still framed, so the next PDU can be read. */
export class AgentxParseError extends EnvirowatchError {
  override name = 'AgentxParseError';
}

/** The stream cannot be framed any more (bad version or length): the connection must be dropped. */
export class AgentxFramingError extends EnvirowatchError {
  override name = 'AgentxFramingError';
}

export interface AgentxHeader {
  readonly version: number;
  readonly type: number;
  readonly flags: number;
  readonly sessionId: number;
  readonly transactionId: number;
  readonly packetId: number;
  readonly payloadLength: number;
}

/** The fields a PDU we send carries in its header, besides type and length. */
export interface HeaderFields {
  readonly sessionId: number;
  readonly transactionId: number;
  readonly packetId: number;
  readonly flags?: number;
}

/** §5.2 SearchRange: `start` (inclusive when `include`) up to `end` exclusive; empty end = no bound. */
export interface SearchRange {
  readonly start: Oid;
  readonly include: boolean;
  readonly end: Oid;
}

export type AgentxPdu =
  | { readonly kind: 'open'; readonly header: AgentxHeader; readonly timeout: number; readonly id: Oid; readonly descr: string }
  | { readonly kind: 'close'; readonly header: AgentxHeader; readonly reason: number }
  | {
      readonly kind: 'register';
      readonly header: AgentxHeader;
      readonly context: Buffer | undefined;
      readonly timeout: number;
      readonly priority: number;
      readonly rangeSubid: number;
      readonly subtree: Oid;
      readonly upperBound: number | undefined;
    }
  | {
      readonly kind: 'response';
      readonly header: AgentxHeader;
      readonly sysUpTime: number;
      readonly error: number;
      readonly index: number;
      readonly varbinds: readonly Varbind[];
    }
  | { readonly kind: 'get' | 'getNext'; readonly header: AgentxHeader; readonly context: Buffer | undefined; readonly ranges: readonly SearchRange[] }
  | {
      readonly kind: 'getBulk';
      readonly header: AgentxHeader;
      readonly context: Buffer | undefined;
      readonly nonRepeaters: number;
      readonly maxRepetitions: number;
      readonly ranges: readonly SearchRange[];
    }
  /** Any other type (Set phases, Notify, Ping, …): header only, payload left unread. */
  | { readonly kind: 'other'; readonly header: AgentxHeader };

// ---------------------------------------------------------------------------------------------
// Header and framing

/** Reads a header; throws AgentxFramingError when it cannot be the start of an AgentX PDU. */
export function decodeHeader(bytes: Buffer): AgentxHeader {
  if (bytes.length < HEADER_BYTES) throw new AgentxFramingError(`header needs ${HEADER_BYTES} bytes, got ${bytes.length}`);
  const version = bytes[0]!;
  const type = bytes[1]!;
  const flags = bytes[2]!;
  if (version !== 1) throw new AgentxFramingError(`h.version ${version}, expected 1`);
  const big = (flags & AgentxFlag.NetworkByteOrder) !== 0;
  const u32 = (offset: number) => (big ? bytes.readUInt32BE(offset) : bytes.readUInt32LE(offset));
  const payloadLength = u32(16);
  // §6.1: the payload is always a multiple of 4 bytes.
  if (payloadLength % 4 !== 0) throw new AgentxFramingError(`payload length ${payloadLength} is not a multiple of 4`);
  if (payloadLength > MAX_PAYLOAD_BYTES) throw new AgentxFramingError(`payload length ${payloadLength} exceeds ${MAX_PAYLOAD_BYTES}`);
  return { version, type, flags, sessionId: u32(4), transactionId: u32(8), packetId: u32(12), payloadLength };
}

export interface AgentxFrame {
  readonly header: AgentxHeader;
  /** The whole PDU, header included. */
  readonly bytes: Buffer;
}

/**
 * Cuts a TCP/Unix byte stream into PDUs: a chunk may hold several PDUs, a PDU may span several
 * chunks. Throws AgentxFramingError (and stays broken) once the stream cannot be framed.
 */
export class AgentxFramer {
  private pending: Buffer = Buffer.alloc(0);
  private broken = false;

  push(chunk: Buffer): AgentxFrame[] {
    if (this.broken) throw new AgentxFramingError('stream already lost its framing');
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: AgentxFrame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      let header: AgentxHeader;
      try {
        header = decodeHeader(this.pending.subarray(offset, offset + HEADER_BYTES));
      } catch (error) {
        this.broken = true;
        this.pending = Buffer.alloc(0);
        throw error;
      }
      const total = HEADER_BYTES + header.payloadLength;
      if (this.pending.length - offset < total) break;
      // A copy, so a frame kept by the caller never pins (or sees changes to) the stream buffer.
      frames.push({ header, bytes: Buffer.from(this.pending.subarray(offset, offset + total)) });
      offset += total;
    }
    this.pending = offset === 0 ? this.pending : Buffer.from(this.pending.subarray(offset));
    return frames;
  }

  /** Bytes received but not yet a whole PDU. */
  get buffered(): number {
    return this.pending.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
  private offset = HEADER_BYTES;

  constructor(
    private readonly bytes: Buffer,
    private readonly big: boolean,
  ) {}

  private need(count: number, what: string): void {
    if (this.offset + count > this.bytes.length)
      throw new AgentxParseError(`${what}: needs ${count} bytes at offset ${this.offset}, PDU has ${this.bytes.length}`);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.big ? this.bytes.readUInt16BE(this.offset) : this.bytes.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.big ? this.bytes.readUInt32BE(this.offset) : this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  skip(count: number, what: string): void {
    this.need(count, what);
    this.offset += count;
  }

  /** §5.1 Object Identifier; also returns the include byte (meaningful in SearchRange starts). */
  oid(what: string): { oid: Oid; include: boolean } {
    const count = this.u8(`${what} n_subid`);
    const prefix = this.u8(`${what} prefix`);
    const include = this.u8(`${what} include`);
    this.skip(1, `${what} reserved`);
    if (count > MAX_SUBIDS) throw new AgentxParseError(`${what}: ${count} sub-identifiers, at most ${MAX_SUBIDS}`);
    if (include > 1) throw new AgentxParseError(`${what}: include byte ${include}`);
    const arcs: number[] = prefix === 0 ? [] : [...INTERNET, prefix];
    for (let i = 0; i < count; i++) arcs.push(this.u32(`${what} sub-identifier ${i + 1}`));
    return { oid: arcs, include: include === 1 };
  }

  /** §5.3 Octet String: 4-byte length, data, padding to a multiple of 4. */
  octets(what: string): Buffer {
    const length = this.u32(`${what} length`);
    const padded = length + ((4 - (length % 4)) % 4);
    this.need(padded, what);
    const data = Buffer.from(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += padded;
    return data;
  }

  context(header: AgentxHeader): Buffer | undefined {
    return header.flags & AgentxFlag.NonDefaultContext ? this.octets('context') : undefined;
  }

  searchRanges(): SearchRange[] {
    const ranges: SearchRange[] = [];
    while (!this.done) {
      const start = this.oid('search range start');
      const end = this.oid('search range end');
      ranges.push({ start: start.oid, include: start.include, end: end.oid });
    }
    return ranges;
  }

  value(type: number, what: string): VarbindValue {
    switch (type) {
      case AgentxValueType.Integer: {
        const raw = this.u32(what);
        return { type: 'integer', value: raw | 0 };
      }
      case AgentxValueType.OctetString:
      case AgentxValueType.Opaque:
      case AgentxValueType.IpAddress: {
        const data = this.octets(what);
        return { type: 'string', value: type === AgentxValueType.IpAddress ? [...data].join('.') : data.toString('latin1') };
      }
      case AgentxValueType.ObjectIdentifier:
        return { type: 'oid', value: this.oid(what).oid };
      case AgentxValueType.Counter32:
      case AgentxValueType.Gauge32:
        return { type: 'counter32', value: this.u32(what) };
      case AgentxValueType.TimeTicks:
        return { type: 'timeticks', value: this.u32(what) };
      case AgentxValueType.Counter64: {
        const high = this.u32(what);
        const low = this.u32(what);
        return { type: 'counter32', value: high * 2 ** 32 + low };
      }
      case AgentxValueType.Null:
        return { type: 'null' };
      case AgentxValueType.noSuchObject:
        return { type: 'noSuchObject' };
      case AgentxValueType.noSuchInstance:
        return { type: 'noSuchInstance' };
      case AgentxValueType.endOfMibView:
        return { type: 'endOfMibView' };
      default:
        throw new AgentxParseError(`${what}: unknown value type ${type}`);
    }
  }

  varbinds(): Varbind[] {
    const varbinds: Varbind[] = [];
    while (!this.done) {
      const type = this.u16('varbind type');
      this.skip(2, 'varbind reserved');
      const { oid } = this.oid('varbind name');
      varbinds.push({ oid, value: this.value(type, 'varbind value') });
    }
    return varbinds;
  }
}

/**
 * Decodes one whole PDU (header included, as AgentxFramer returns it). Throws AgentxParseError
 * when the payload is malformed, AgentxFramingError when the header is.
 */
export function decodePdu(bytes: Buffer): AgentxPdu {
  const header = decodeHeader(bytes);
  if (bytes.length !== HEADER_BYTES + header.payloadLength)
    throw new AgentxParseError(`PDU is ${bytes.length} bytes, header says ${HEADER_BYTES + header.payloadLength}`);
  const r = new Reader(bytes, (header.flags & AgentxFlag.NetworkByteOrder) !== 0);
  const finish = <T extends AgentxPdu>(pdu: T): T => {
    if (!r.done) throw new AgentxParseError(`${pdu.kind}: trailing bytes after the payload`);
    return pdu;
  };
  switch (header.type) {
    case AgentxType.Open: {
      const timeout = r.u8('o.timeout');
      r.skip(3, 'o.reserved');
      const { oid: id } = r.oid('o.id');
      const descr = r.octets('o.descr').toString('utf8');
      return finish({ kind: 'open', header, timeout, id, descr });
    }
    case AgentxType.Close: {
      const reason = r.u8('r.reason');
      r.skip(3, 'r.reserved');
      return finish({ kind: 'close', header, reason });
    }
    case AgentxType.Register: {
      const context = r.context(header);
      const timeout = r.u8('r.timeout');
      const priority = r.u8('r.priority');
      const rangeSubid = r.u8('r.range_subid');
      r.skip(1, 'r.reserved');
      const { oid: subtree } = r.oid('r.subtree');
      if (rangeSubid > subtree.length) throw new AgentxParseError(`register: range_subid ${rangeSubid} beyond the subtree`);
      const upperBound = rangeSubid === 0 ? undefined : r.u32('r.upper_bound');
      return finish({ kind: 'register', header, context, timeout, priority, rangeSubid, subtree, upperBound });
    }
    case AgentxType.Response: {
      const sysUpTime = r.u32('res.sysUpTime');
      const error = r.u16('res.error');
      const index = r.u16('res.index');
      return finish({ kind: 'response', header, sysUpTime, error, index, varbinds: r.varbinds() });
    }
    case AgentxType.Get:
    case AgentxType.GetNext: {
      const context = r.context(header);
      return finish({ kind: header.type === AgentxType.Get ? 'get' : 'getNext', header, context, ranges: r.searchRanges() });
    }
    case AgentxType.GetBulk: {
      const context = r.context(header);
      const nonRepeaters = r.u16('g.non_repeaters');
      const maxRepetitions = r.u16('g.max_repetitions');
      return finish({ kind: 'getBulk', header, context, nonRepeaters, maxRepetitions, ranges: r.searchRanges() });
    }
    default:
      if (header.type < AgentxType.Open || header.type > AgentxType.Response) throw new AgentxParseError(`unknown h.type ${header.type}`);
      return { kind: 'other', header };
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding (always network byte order)

class Writer {
  private readonly parts: Buffer[] = [];

  u8x4(a: number, b = 0, c = 0, d = 0): this {
    this.parts.push(Buffer.from([a, b, c, d]));
    return this;
  }

  u16pair(a: number, b: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt16BE(a, 0);
    buffer.writeUInt16BE(b, 2);
    this.parts.push(buffer);
    return this;
  }

  u32(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(value >>> 0, 0);
    this.parts.push(buffer);
    return this;
  }

  oid(oid: Oid, include = false): this {
    if (oid.length > MAX_SUBIDS) throw new RangeError(`OID has ${oid.length} sub-identifiers, at most ${MAX_SUBIDS}`);
    // §5.1 prefix compression: 1.3.6.1.<x>.… with 0 < x < 256 is sent as prefix x.
    const prefixed = oid.length >= 5 && INTERNET.every((arc, i) => oid[i] === arc) && oid[4]! > 0 && oid[4]! < 256;
    const arcs = prefixed ? oid.slice(5) : oid;
    this.u8x4(arcs.length, prefixed ? oid[4]! : 0, include ? 1 : 0, 0);
    for (const arc of arcs) {
      if (!Number.isInteger(arc) || arc < 0 || arc > 0xffffffff) throw new RangeError(`sub-identifier ${arc} out of range`);
      this.u32(arc);
    }
    return this;
  }

  octets(data: Buffer): this {
    this.u32(data.length);
    this.parts.push(data);
    const pad = (4 - (data.length % 4)) % 4;
    if (pad > 0) this.parts.push(Buffer.alloc(pad));
    return this;
  }

  value(value: VarbindValue): this {
    switch (value.type) {
      case 'integer':
        return this.u32(value.value | 0);
      case 'string':
        return this.octets(Buffer.from(value.value, 'utf8'));
      case 'octets':
        return this.octets(value.value);
      case 'oid':
        return this.oid(value.value);
      case 'timeticks':
      case 'counter32':
        return this.u32(value.value);
      default:
        return this;
    }
  }

  varbind(varbind: Varbind): this {
    const type = VALUE_TYPE[varbind.value.type];
    return this.u16pair(type, 0).oid(varbind.oid).value(varbind.value);
  }

  pdu(type: number, fields: HeaderFields): Buffer {
    const payload = Buffer.concat(this.parts);
    const header = Buffer.alloc(HEADER_BYTES);
    header[0] = 1;
    header[1] = type;
    header[2] = (fields.flags ?? 0) | AgentxFlag.NetworkByteOrder;
    header.writeUInt32BE(fields.sessionId >>> 0, 4);
    header.writeUInt32BE(fields.transactionId >>> 0, 8);
    header.writeUInt32BE(fields.packetId >>> 0, 12);
    header.writeUInt32BE(payload.length, 16);
    return Buffer.concat([header, payload]);
  }
}

const VALUE_TYPE: Record<VarbindValue['type'], number> = {
  integer: AgentxValueType.Integer,
  string: AgentxValueType.OctetString,
  octets: AgentxValueType.OctetString,
  oid: AgentxValueType.ObjectIdentifier,
  timeticks: AgentxValueType.TimeTicks,
  counter32: AgentxValueType.Counter32,
  null: AgentxValueType.Null,
  noSuchObject: AgentxValueType.noSuchObject,
  noSuchInstance: AgentxValueType.noSuchInstance,
  endOfMibView: AgentxValueType.endOfMibView,
};

/** §6.2.1 Open. `timeout` in seconds, 0 = the master's default. */
export function encodeOpen(fields: HeaderFields, open: { timeout: number; id: Oid; descr: string }): Buffer {
  return new Writer().u8x4(open.timeout).oid(open.id).octets(Buffer.from(open.descr, 'utf8')).pdu(AgentxType.Open, fields);
}

/** §6.2.2 Close. */
export function encodeClose(fields: HeaderFields, reason: number): Buffer {
  return new Writer().u8x4(reason).pdu(AgentxType.Close, fields);
}

/** §6.2.3 Register of a whole subtree (no range), default context. Priority 127 is the RFC's default. */
export function encodeRegister(fields: HeaderFields, register: { subtree: Oid; timeout?: number; priority?: number }): Buffer {
  return new Writer()
    .u8x4(register.timeout ?? 0, register.priority ?? 127, 0, 0)
    .oid(register.subtree)
    .pdu(AgentxType.Register, fields);
}

/** §6.2.16 Response. */
export function encodeResponse(fields: HeaderFields, response: { sysUpTime?: number; error?: number; index?: number; varbinds?: readonly Varbind[] }): Buffer {
  const writer = new Writer().u32(response.sysUpTime ?? 0).u16pair(response.error ?? 0, response.index ?? 0);
  for (const varbind of response.varbinds ?? []) writer.varbind(varbind);
  return writer.pdu(AgentxType.Response, fields);
}

/** §6.2.5/6.2.6 Get or GetNext (what a master sends; used by tests standing in for one). */
export function encodeGet(fields: HeaderFields, type: typeof AgentxType.Get | typeof AgentxType.GetNext, ranges: readonly SearchRange[]): Buffer {
  const writer = new Writer();
  for (const range of ranges) writer.oid(range.start, range.include).oid(range.end);
  return writer.pdu(type, fields);
}

/** §6.2.7 GetBulk (what a master sends; used by tests). */
export function encodeGetBulk(fields: HeaderFields, bulk: { nonRepeaters: number; maxRepetitions: number; ranges: readonly SearchRange[] }): Buffer {
  const writer = new Writer().u16pair(bulk.nonRepeaters, bulk.maxRepetitions);
  for (const range of bulk.ranges) writer.oid(range.start, range.include).oid(range.end);
  return writer.pdu(AgentxType.GetBulk, fields);
}
