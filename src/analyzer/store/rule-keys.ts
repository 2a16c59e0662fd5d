/**
 * One Map key for a rule id and one of its keys, for the kinds' pending writes. '\0' cannot be in
 * a rule id (rule-schema.ts), so the first one separates them even when a key from the network has one.
 */
const SEP = '\u0000';

export const ruleKeyId = (ruleId: string, key: string): string => ruleId + SEP + key;

export function splitRuleKeyId(id: string): [ruleId: string, key: string] {
  const at = id.indexOf(SEP);
  return [id.slice(0, at), id.slice(at + 1)];
}
