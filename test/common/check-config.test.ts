/**
 * check-config's messages through the built CLI on real files: each says the key path, the line,
 * what was found and what is expected (an example for maps and lists of maps), in line order.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/analyzer-process.js';

async function tempFile(name: string, lines: string[]): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'envirowatch-check-config-')), name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('check-config', () => {
  it('says what was found and what is expected, with examples, in the order of the file', async () => {
    const file = await tempFile('analyzer.yaml', [
      'notify:',
      '  channels: "email"',
      'rules:',
      '  - id: r1',
      '    kind: event',
      '    match:',
      '  - kind: eps',
      '    below: "three"',
      '  - id: r3',
      '    kind: nope',
      '  - { id: r4, kind: anomaly, match: { regex: x }, key: x, value: x, maxKeys: 0 }',
      'web:',
      '  port: abc',
      'log:',
      '  level: loud',
    ]);
    const { code, stderr } = await cli(['check-config', '--analyzer', file]);
    expect(code).toBe(2);
    // Schema order would be log, notify, web, rules: the file's order is what a reader follows.
    expect(stderr.trim().split('\n')).toEqual([
      `${file}:2: notify.channels: found the text "email", expected a list of maps, e.g. channels: [{ id: <text>, type: webhook|syslog|email|snmp, … }]`,
      `${file}:6: rules.0.match: found an empty value, expected a map, e.g. match: { host: <text>, app: <text>, severity: emerg, regex: <text> }`,
      `${file}:7: rules.1.id: found nothing (the key is missing), expected text`,
      `${file}:8: rules.1.below: found the text "three", expected a number`,
      `${file}:10: rules.2.kind: found the text "nope": kind must be anomaly, timer, eps or event`,
      `${file}:11: rules.3.maxKeys: found the number 0, expected number to be >=1`,
      `${file}:13: web.port: found the text "abc", expected a number`,
      `${file}:15: log.level: found the text "loud", expected one of debug, info, warn, error`,
    ]);
  });

  it('reports a missing key of a list item at the item, with what the key must hold', async () => {
    const file = await tempFile('analyzer.yaml', ['notify:', '  channels:', '    - id: mail', '      type: mail', '    - id: hook', '      type: webhook']);
    const { code, stderr } = await cli(['check-config', '--analyzer', file]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      `${file}:4: notify.channels.0.type: found the text "mail": type must be webhook, syslog, email or snmp`,
      `${file}:5: notify.channels.1.url: found nothing (the key is missing): must be an http:// or https:// URL`,
    ]);
  });

  it('reports a line indented too deep on that line, once', async () => {
    const file = await tempFile('agent.yaml', ['sensors:', '  bme280:', '    enabled: true', '      mode: forced']);
    const { code, stderr } = await cli(['check-config', file]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `${file}:4: YAML syntax: indented deeper than line 3, whose key already has a value: give it the indentation of the key it belongs beside\n`,
    );
  });

  it('tells to add --analyzer when given the analyzer file without it', async () => {
    const shipped = fileURLToPath(new URL('../../config/analyzer.yaml', import.meta.url));
    const { code, stderr } = await cli(['check-config', shipped]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `${shipped}: this is an analyzer config (it has listen, limits, dataDir, retention, problems, notify, web, rules): check it with envirowatch check-config --analyzer ${shipped}\n`,
    );
    expect(await cli(['check-config', '--analyzer', shipped])).toMatchObject({ code: 0 });
  });

  it('never shows a secret, nor text whose length is wrong', async () => {
    const file = await tempFile('agent.yaml', [
      'snmp:',
      '  notifications:',
      '    receivers:',
      '      - { host: 192.0.2.1, v3: { user: ops, authPassword: hunter2, privPassword: 12345678901 } }',
    ]);
    const { code, stderr } = await cli(['check-config', file]);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/hunter2|12345678901/);
    expect(stderr).toContain('v3.authPassword: found a value (not shown: it is a secret)');
  });

  it('keeps listing unknown keys for an agent file with a typo', async () => {
    const file = await tempFile('agent.yaml', ['sensor:', '  bme280: {}']);
    expect((await cli(['check-config', file])).stderr).toBe(`${file}:1: sensor: unknown key (check its spelling and indentation)\n`);
  });
});
