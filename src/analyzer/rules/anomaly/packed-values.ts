/**
 * A short list of strings packed into one string: each value preceded by its length, in 7-bit
 * groups, one character each (most significant first, 0x80 set on all but the last), so a list of
 * Latin-1 values stays a one-byte string. A learned IPv4 address costs its characters and one
 * more, instead of a string of its own (16 bytes of header, rounded up to 8) and a Set entry
 * (~40 bytes with the table's spare room), V8 without pointer compression as node ships it.
 * Exact: values are compared whole, any characters, any length. Every operation walks the list,
 * so it is for a few dozen values (learned.ts keeps more in a Set).
 * A list is never a view into a log line: it is built by `join`, which writes a new flat string
 * (a `+` would make a rope, and a `slice` a view that keeps its parent alive).
 */

function lengthPrefix(length: number): string {
  let prefix = String.fromCharCode(length & 0x7f);
  for (let rest = Math.floor(length / 0x80); rest > 0; rest = Math.floor(rest / 0x80)) prefix = String.fromCharCode(0x80 | (rest & 0x7f)) + prefix;
  return prefix;
}

/** Where the entry at `at` ends (its value is `packed.slice(valueStart, end)`), written into `entry`, reused to allocate nothing. */
interface Entry {
  valueStart: number;
  end: number;
}

function readEntry(packed: string, at: number, entry: Entry): void {
  let length = 0;
  let code;
  do {
    code = packed.charCodeAt(at++);
    length = length * 0x80 + (code & 0x7f);
  } while (code >= 0x80);
  entry.valueStart = at;
  entry.end = at + length;
}

const scratch: Entry = { valueStart: 0, end: 0 };

/** The list with `value` appended (`packed` undefined: the list of `value` alone). */
export function packedAppend(packed: string | undefined, value: string): string {
  return packed === undefined ? [lengthPrefix(value.length), value].join('') : [packed, lengthPrefix(value.length), value].join('');
}

/** Where `value`'s entry starts in the list, or -1. */
export function packedIndexOf(packed: string, value: string): number {
  for (let at = 0; at < packed.length; at = scratch.end) {
    readEntry(packed, at, scratch);
    if (scratch.end - scratch.valueStart === value.length && packed.startsWith(value, scratch.valueStart)) return at;
  }
  return -1;
}

/** The list with the entry at `at` (from packedIndexOf) moved to the end. */
export function packedMoveToEnd(packed: string, at: number): string {
  readEntry(packed, at, scratch);
  if (scratch.end === packed.length) return packed;
  return [packed.slice(0, at), packed.slice(scratch.end), packed.slice(at, scratch.end)].join('');
}

export function packedCount(packed: string): number {
  let count = 0;
  for (let at = 0; at < packed.length; at = scratch.end, count++) readEntry(packed, at, scratch);
  return count;
}

export function packedValues(packed: string): string[] {
  const values: string[] = [];
  for (let at = 0; at < packed.length; at = scratch.end) {
    readEntry(packed, at, scratch);
    values.push(packed.slice(scratch.valueStart, scratch.end));
  }
  return values;
}

/** The first value and the list without it (undefined when it was the only one). */
export function packedShift(packed: string): [first: string, rest: string | undefined] {
  readEntry(packed, 0, scratch);
  const first = packed.slice(scratch.valueStart, scratch.end);
  if (scratch.end === packed.length) return [first, undefined];
  const rest = packed.slice(scratch.end);
  // The rest as a string of its own (a two-part join), not a view keeping the first value.
  return [first, rest.length === 1 ? rest : [rest.slice(0, 1), rest.slice(1)].join('')];
}
