/**
 * The rules the analyzer runs when analyzer.yaml has no `rules:` key: it knows its sensors out of
 * the box. config/analyzer.yaml lists the same rules (a test keeps them equal), followed by the
 * seed examples as commented rules ready to enable.
 */
import { parseConfigText } from '../common/config-file.js';
import { ENTERS_CRITICAL_REGEX, LEAVES_CRITICAL_REGEX } from '../common/sensor-messages.js';
import { rulesFileSchema, type Rule } from './rules/schema.js';

/** A regex as a YAML double-quoted scalar (JSON strings are YAML). */
const quoted = (regex: string) => JSON.stringify(regex);

export const DEFAULT_RULES_YAML = `rules:
  # An envirowatch sensor that went dark (power, network, a crashed agent): fewer than 3 of its
  # messages (a heartbeat every 60 s, plus its events) in 5 minutes. A problem opens when it goes
  # quiet and resolves by itself when it is back. Add sensor host names to expected to be told
  # about one that never sent anything at all.
  - id: sensor-silent
    kind: eps
    description: an envirowatch sensor stopped sending
    match: { app: ^envirowatch$ }
    key: \${host}
    interval: 5m
    below: 3
    expected: []
    severity: err

  # A sensor's reading crossed its critical limit (the agent's STATUS message, severity crit):
  # a problem opens for that sensor and quantity, and resolves when the agent reports the
  # quantity leaving critical (e.g. "Temperature critical -> warning").
  - id: sensor-critical
    kind: event
    description: a sensor's reading crossed its critical threshold
    match: { app: ^envirowatch$, severity: crit, regex: ${quoted(ENTERS_CRITICAL_REGEX)} }
    resolve: { app: ^envirowatch$, regex: ${quoted(LEAVES_CRITICAL_REGEX)} }
    key: \${host}/\${quantity}
    severity: crit
`;

export function defaultRules(): Rule[] {
  return parseConfigText(rulesFileSchema, DEFAULT_RULES_YAML, 'default rules').rules;
}
