/** Rules files: the shipped example, and mistakes explained with the key path and line. */
import { describe, expect, it } from 'vitest';
import { exampleRules } from './example-rules.js';
import { rulesFileIssues } from './rules-file-issues.js';

describe('rules files', () => {
  it('the shipped example is valid', () => {
    expect(exampleRules.map((r) => `${r.id}:${r.kind}`)).toEqual([
      'vpn-new-address:anomaly',
      'rdp-session-too-long:timer',
      'sensor-quiet:eps',
      'sensor-critical:event',
    ]);
  });

  it('explains mistakes with the key path and line: bad regex, unknown template name, missing threshold', () => {
    const text = [
      'rules:',
      '  - id: a',
      '    kind: anomaly',
      '    match:',
      '      regex: "user (?<user>\\\\w+"',
      '    key: ${user}',
      '    value: ${ip}',
      '  - id: b',
      '    kind: anomaly',
      '    match:',
      '      regex: "user (?<user>\\\\w+)"',
      '    key: ${user}',
      '    value: ${ip}',
      '  - id: c',
      '    kind: eps',
      '  - id: c',
      '    kind: sometimes',
      '',
    ].join('\n');
    expect(rulesFileIssues(text)).toEqual([
      expect.stringMatching(/^rules\.yaml:5: rules\.0\.match\.regex: not a valid regular expression: .*Unterminated group$/),
      'rules.yaml:17: rules.3.kind: found the text "sometimes": kind must be anomaly, timer, eps or event',
    ]);
  });

  it('an eps rule without thresholds and a duplicate id are errors too', () => {
    const text = ['rules:', '  - id: c', '    kind: eps', '  - id: c', '    kind: eps', '    below: 1', ''].join('\n');
    expect(rulesFileIssues(text)).toEqual(['rules.yaml:2: rules.0: an eps rule needs below and/or above', 'rules.yaml:4: rules.1.id: duplicate rule id c']);
  });

  it('names an unknown template group with its line', () => {
    const text = [
      'rules:',
      '  - id: b',
      '    kind: anomaly',
      '    match:',
      '      regex: "user (?<user>\\\\w+)"',
      '    key: ${user}',
      '    value: ${ip}',
      '',
    ].join('\n');
    expect(rulesFileIssues(text).join('\n')).toMatch(/rules\.yaml:7: rules\.0\.value: \$\{ip\} is not a named group of the regex \(user\)/);
  });
});
