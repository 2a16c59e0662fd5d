/**
 * Answers one decoded request from a MIB view (RFC 3416 §4.2 for v2c, RFC 1157 §4.1 for v1).
 * Pure and bounded: the work done is at most proportional to the request's varbinds plus the
 * response size limit, whatever max-repetitions says.
 */
import { ErrorStatus, PduType, SnmpVersion, encodeVarbind, type RequestMessage, type ResponseFields, type Varbind } from '../message/message.js';
import { compareOids, startsWith, type Oid } from '../oid.js';
import { responseSize, varbindBudget, type ResponseEnvelope } from '../message/response-size.js';

/**
 * Largest response we send: an Ethernet MTU minus IP and UDP headers, so replies are never
 * fragmented (fragments are what firewalls drop first). RFC 3417 §3.2 only requires 484.
 */
export const MAX_RESPONSE_BYTES = 1472;

/**
 * An instance whose value is read when a request reaches it, not when the view is built: counters
 * that move with every packet (snmpInPkts counts the request reading it) in a view kept between
 * requests.
 */
export interface LiveInstance {
  readonly oid: Oid;
  readonly read: () => Varbind['value'];
}

export class MibView {
  /** @param instances every instance, any order. @param objects OIDs of the objects (columns, scalars), for noSuchInstance vs noSuchObject. */
  constructor(
    instances: readonly (Varbind | LiveInstance)[],
    private readonly objects: readonly Oid[],
  ) {
    this.sorted = sortByOid(instances);
  }

  private readonly sorted: (Varbind | LiveInstance)[];

  /** Index of the first instance ≥ oid (strictly > when `after`). */
  private search(oid: Oid, after: boolean): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const order = compareOids(this.sorted[mid]!.oid, oid);
      if (order < 0 || (after && order === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The instance at `index` with its value now. */
  private at(index: number): Varbind | undefined {
    const instance = this.sorted[index];
    return instance && 'read' in instance ? { oid: instance.oid, value: instance.read() } : instance;
  }

  get(oid: Oid): Varbind {
    const index = this.search(oid, false);
    const found = this.sorted[index];
    if (found && compareOids(found.oid, oid) === 0) return this.at(index)!;
    const known = this.objects.some((object) => startsWith(oid, object));
    return { oid, value: { type: known ? 'noSuchInstance' : 'noSuchObject' } };
  }

  /** The next instance after `oid`, or undefined at the end of the view. */
  next(oid: Oid): Varbind | undefined {
    return this.at(this.search(oid, true));
  }
}

export interface HandledRequest extends ResponseFields {
  readonly tooBig: boolean;
}

/** RFC 3416 §4.2.1: tooBig carries no varbinds. */
const TOO_BIG: HandledRequest = { errorStatus: ErrorStatus.tooBig, errorIndex: 0, varbinds: [], tooBig: true };

/** Everything but GetBulk: one result per request varbind, all or nothing. */
function handleSimple(request: RequestMessage, view: MibView, budget: number): HandledRequest {
  const v1 = request.version === SnmpVersion.v1;
  // Error responses echo the request's varbinds, values included (RFC 3416 §4.2.5, RFC 1157 §4.1.2–4.1.5).
  const fail = (errorStatus: number, errorIndex: number): HandledRequest => ({
    errorStatus,
    errorIndex,
    varbinds: request.varbinds,
    tooBig: errorStatus === ErrorStatus.tooBig,
  });
  // Read-only agent: noAccess, which RFC 3584 §4.4 turns into noSuchName for v1 managers.
  if (request.pduType === PduType.SetRequest) return fail(v1 ? ErrorStatus.noSuchName : ErrorStatus.noAccess, 1);
  const varbinds: Buffer[] = [];
  let size = 0;
  for (const [i, oid] of request.oids.entries()) {
    let result: Varbind;
    if (request.pduType === PduType.GetNextRequest) result = view.next(oid) ?? { oid, value: { type: 'endOfMibView' } };
    else result = view.get(oid);
    // v1 has no exception values: a missing or past-the-end variable is noSuchName (RFC 3584 §4.2.1).
    if (v1 && ['noSuchObject', 'noSuchInstance', 'endOfMibView'].includes(result.value.type)) return fail(ErrorStatus.noSuchName, i + 1);
    const encoded = encodeVarbind(result);
    size += encoded.length;
    // RFC 1157 §4.1.2: v1 tooBig echoes the request.
    if (size > budget) return v1 ? fail(ErrorStatus.tooBig, 0) : TOO_BIG;
    varbinds.push(encoded);
  }
  return { errorStatus: ErrorStatus.noError, errorIndex: 0, varbinds, tooBig: false };
}

/**
 * RFC 3416 §4.2.3: the first N varbinds once, then max-repetitions rounds over the other R, each
 * continuing its own column. Negative counts are 0. Stops when the response is full (sending what
 * fits, as §4.2.3 prescribes, instead of tooBig) or when a round found only endOfMibView.
 */
function handleBulk(request: RequestMessage, view: MibView, budget: number): HandledRequest {
  const total = request.oids.length;
  const nonRepeaters = Math.min(Math.max(request.field2, 0), total);
  const maxRepetitions = Math.max(request.field3, 0);
  const varbinds: Buffer[] = [];
  let size = 0;
  const add = (varbind: Varbind): boolean => {
    const encoded = encodeVarbind(varbind);
    if (size + encoded.length > budget) return false;
    size += encoded.length;
    varbinds.push(encoded);
    return true;
  };
  const full = (): HandledRequest => ({
    errorStatus: varbinds.length === 0 ? ErrorStatus.tooBig : ErrorStatus.noError,
    errorIndex: 0,
    varbinds,
    tooBig: varbinds.length === 0,
  });

  for (const oid of request.oids.slice(0, nonRepeaters)) {
    if (!add(view.next(oid) ?? { oid, value: { type: 'endOfMibView' } })) return full();
  }
  const cursors = request.oids.slice(nonRepeaters);
  for (let round = 0; round < maxRepetitions && cursors.length > 0; round++) {
    let anyLeft = false;
    for (const [column, cursor] of cursors.entries()) {
      const next = view.next(cursor);
      if (next) {
        cursors[column] = next.oid;
        anyLeft = true;
      }
      if (!add(next ?? { oid: cursor, value: { type: 'endOfMibView' } })) return full();
    }
    if (!anyLeft) break;
  }
  return { errorStatus: ErrorStatus.noError, errorIndex: 0, varbinds, tooBig: false };
}

/**
 * The response to `request` in `envelope` within `maxBytes`, or undefined when not even an empty
 * tooBig fits: RFC 3416 §4.2.1–§4.2.5 say to drop it then and count it in snmpSilentDrops. An
 * error response whose echo does not fit becomes tooBig without varbinds (§4.2.5).
 */
export function handleRequest(request: RequestMessage, view: MibView, envelope: ResponseEnvelope, maxBytes = MAX_RESPONSE_BYTES): HandledRequest | undefined {
  const budget = varbindBudget(envelope, request.requestId, maxBytes);
  const result = request.pduType === PduType.GetBulkRequest ? handleBulk(request, view, budget) : handleSimple(request, view, budget);
  const fits = (fields: ResponseFields) => {
    const varbindsLength = fields.varbinds.reduce((total, varbind) => total + varbind.length, 0);
    return responseSize(envelope, { requestId: request.requestId, errorStatus: fields.errorStatus, errorIndex: fields.errorIndex, varbindsLength }) <= maxBytes;
  };
  if (fits(result)) return result;
  return fits(TOO_BIG) ? TOO_BIG : undefined;
}

/** Instances in OID order (a copy). */
function sortByOid<Instance extends { readonly oid: Oid }>(instances: readonly Instance[]): Instance[] {
  return [...instances].sort((a, b) => compareOids(a.oid, b.oid));
}
