/**
 * Rule templates (`${name}` over a regex's named groups and the event's fields) fed special names:
 * a group may be called `__proto__` or `constructor` (both valid group names), and an event's fields
 * carry whatever the sender wrote. Property: the template's output is the plain substitution,
 * computed here independently with a Map; a name that is neither a group nor an event field is a
 * config error at load, never an inherited function's source text at run time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/errors.js';
import { parseConfigText } from '../../src/common/config-file.js';
import { parseSyslog } from '../../src/common/syslog/parse.js';
import { RuleEngine } from '../../src/analyzer/rules/engine.js';
import { rulesFileSchema } from '../../src/analyzer/rules/schema.js';
import { JS_SPECIAL_NAMES, objectPrototypeSnapshot } from '../helpers/hostile-inputs.js';

/** Special names that are also valid regex group names (identifiers). */
const GROUP_NAMES = JS_SPECIAL_NAMES.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
const literal = fc.string({ maxLength: 6 }).map((text) => text.replace(/\$\{/g, '$ {'));
const loadRules = (yaml: string) => parseConfigText(rulesFileSchema, yaml, 'rules.yaml').rules;

describe('templates over special group names', () => {
  it('property: the key is exactly the substitution of the groups the message matched', () => {
    const before = objectPrototypeSnapshot();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...GROUP_NAMES), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(...JS_SPECIAL_NAMES.filter((name) => !/\s/.test(name))), { minLength: 3, maxLength: 3 }),
        fc.array(literal, { minLength: 4, maxLength: 4 }),
        (groups, values, literals) => {
          const regex = groups.map((name) => `(?<${name}>\\S+)`).join(' ');
          const template = literals[0]! + groups.map((name, i) => `\${${name}}${literals[i + 1]}`).join('');
          const [rule] = loadRules(`rules:\n  - { id: t, kind: event, match: { regex: ${JSON.stringify(`^${regex}$`)} }, key: ${JSON.stringify(template)} }\n`);
          const message = groups.map((_, i) => values[i]!).join(' ');
          const [alert] = new RuleEngine([rule!]).process(parseSyslog(`<13>1 - h app - - - ${message}`, { receivedAt: 0, source: 'x:1' }), 1);
          const byName = new Map(groups.map((name, i) => [name, values[i]!]));
          expect(alert?.key).toBe(literals[0]! + groups.map((name, i) => `${byName.get(name)}${literals[i + 1]}`).join(''));
        },
      ),
      { numRuns: 500 },
    );
    expect(objectPrototypeSnapshot()).toEqual(before);
  });

  it.each(JS_SPECIAL_NAMES)('${%s} with no such group or event field is refused at load', (name) => {
    const load = () => loadRules(`rules:\n  - { id: t, kind: event, match: { regex: "^x" }, key: "\${${name}}" }\n`);
    expect(load).toThrow(ConfigError);
  });
});
