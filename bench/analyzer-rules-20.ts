/** 20 mixed rules for the benchmarks: the 4 example rules plus anomaly, timer, event and eps variants over the bench's lines. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../src/common/config-file.js';
import { rulesFileSchema, type Rule } from '../src/analyzer/rules/schema.js';

const exampleRulesYaml = () => readFileSync(fileURLToPath(new URL('../../config/rules.example.yaml', import.meta.url)), 'utf8');

export function exampleRules(): Rule[] {
  return parseConfigText(rulesFileSchema, exampleRulesYaml()).rules;
}

/** The 20 rules as the YAML items of a `rules:` list (the example file's, without its `rules:` line, and 16 more). */
export function twentyRuleLines(): string[] {
  const extra: string[] = [];
  for (let i = 0; i < 6; i++)
    extra.push(
      `  - { id: anomaly-${i}, kind: anomaly, match: { regex: "SRC=(?<src>[\\\\d.]+) .*DPT=(?<port>${20 + i})\\\\b" }, key: "\${src}", value: "\${port}", learning: 1h }`,
    );
  for (let i = 0; i < 4; i++)
    extra.push(
      `  - { id: timer-${i}, kind: timer, start: { regex: "4624: .*Logon ID: (?<id>0x[0-9a-f]*${i.toString(16)})$" }, end: { regex: "4634: .*Logon ID: (?<id>0x[0-9a-f]*${i.toString(16)})$" }, key: "\${id}", timeout: 1h }`,
    );
  for (let i = 0; i < 3; i++) extra.push(`  - { id: event-${i}, kind: event, match: { regex: "PROTO=(?<proto>UDP|ICMP) .*${i}$" }, key: "\${host}" }`);
  for (let i = 0; i < 3; i++)
    extra.push(`  - { id: eps-${i}, kind: eps, match: { app: "^(kernel|envirowatch)$" }, interval: ${i + 1}m, below: 1, above: 100000 }`);
  return [
    ...exampleRulesYaml()
      .trimEnd()
      .replace(/^rules:$/m, '')
      .split('\n'),
    ...extra,
  ];
}

export function twentyRules(): Rule[] {
  return parseConfigText(rulesFileSchema, ['rules:', ...twentyRuleLines()].join('\n')).rules;
}
