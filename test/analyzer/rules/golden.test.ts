/**
 * Every kind's golden cases, by one loop (telegraf's plugins/inputs/syslog/testcases): each
 * src/analyzer/rules/<kind>/testcases/<case>/ holds rules.yaml, input.log and expected.jsonl, the
 * alerts the rules raise on the log replayed through replay.ts (as `envirowatch analyze` does),
 * one JSON object a line. A new case is a new folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/common/config-file.js';
import type { Alert } from '../../../src/analyzer/rules/alert.js';
import { RULE_KINDS } from '../../../src/analyzer/rules/kinds.js';
import { rulesFileSchema } from '../../../src/analyzer/rules/schema.js';
import { referenceForYear, replay } from '../../../src/analyzer/replay.js';

const RULES_DIR = new URL('../../../src/analyzer/rules/', import.meta.url);

/** What a golden file says of an alert: what an operator reads, not the evidence. */
function goldenLine({ time, ruleId, kind, severity, host, key, value, state, problem, summary }: Alert): string {
  return JSON.stringify({ time: new Date(time).toISOString(), ruleId, kind, severity, host, key, value, state, problem, summary });
}

for (const kind of RULE_KINDS.keys()) {
  const cases = new URL(`${kind}/testcases/`, RULES_DIR);
  describe(`${kind} golden cases`, () => {
    it('has at least one', () => expect(readdirSync(cases).length).toBeGreaterThan(0));
    for (const name of readdirSync(cases)) {
      it(name, async () => {
        const read = (file: string) => readFileSync(new URL(`${name}/${file}`, cases), 'utf8');
        const { rules } = parseConfigText(rulesFileSchema, read('rules.yaml'), `${kind}/testcases/${name}/rules.yaml`);
        const lines = read('input.log').split('\n');
        const { alerts, failed } = await replay(lines, { rules, reference: referenceForYear(2026), name: 'input.log' });
        expect(failed.count).toBe(0);
        expect(alerts.map(goldenLine)).toEqual(read('expected.jsonl').split('\n').filter(Boolean));
      });
    }
  });
}
