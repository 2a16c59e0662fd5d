/**
 * Keys as the rules keep them. One Map key for a rule id and one of its keys, for the kinds'
 * pending writes: '\0' cannot be in a rule id (rule-schema.ts), so the first one separates them
 * even when a key from the network has one.
 */
const SEP = '\u0000';

export const ruleKeyId = (ruleId: string, key: string): string => ruleId + SEP + key;

export function splitRuleKeyId(id: string): [ruleId: string, key: string] {
  const at = id.indexOf(SEP);
  return [id.slice(0, at), id.slice(at + 1)];
}

/**
 * `text` copied on its own, for a string a rule keeps (a key, a learned value, a held event): a
 * regex group or a template joining some is a view into the event's message or line in V8, and
 * kept, it keeps the whole line alive (600 bytes for a 30-character timer key; V8 issue 2869).
 * V8 copies a slice shorter than 13 characters; a longer one is joined from two parts into a new
 * flat string (sliced again it would be a view of the joined copy, 32 bytes more).
 */
export const ownCopy = (text: string): string => (text.length < 13 ? ` ${text}`.slice(1) : [text.slice(0, 1), text.slice(1)].join(''));
