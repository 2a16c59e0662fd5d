/**
 * Records keyed by names that come from the network (syslog structured data, JSON read back from
 * the store). A plain `{}` inherits `toString`, `constructor` and a `__proto__` setter, so a
 * sender's `[x@1 toString="a"]` would find a function where a list was expected and
 * `[__proto__ host="X"]` would write to Object.prototype. These records have no prototype: every
 * name is only what was put there.
 */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** An empty record that cannot be written to (for events that carry no structured data). */
export const NO_ENTRIES: Readonly<Record<string, never>> = Object.freeze(emptyRecord<never>());

/**
 * JSON.parse whose objects have no prototype. JSON.parse itself already defines `__proto__` as an
 * own property rather than calling the setter; this also keeps lookups of inherited names
 * (`constructor`) from finding anything in what comes back.
 */
export function parseJsonRecords(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.assign(emptyRecord(), value) : value));
}
