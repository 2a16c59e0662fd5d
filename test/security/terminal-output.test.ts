/**
 * `envirowatch alerts list|show` print text that came from syslog senders: a message with ESC,
 * CR, LF, C1 or bidi controls must not repaint or forge lines in the operator's terminal. The
 * alerts are stored through the real store in a real SQLite file and printed by the real CLI.
 * Also: a list cut at its limit says how many more there are.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/analyzer/rules/alert.js';
import { AlertStore } from '../../src/analyzer/store/alerts.js';
import { openDatabase } from '../../src/analyzer/store/database.js';
import type { SyslogEvent } from '../../src/common/syslog/event.js';
import { cli } from '../helpers/analyzer-process.js';

/** Clears the screen, returns to the line start, forges a line, reverses the rest, 8-bit CSI, bell. */
const HOSTILE = 'disk full\x1b[2J\rOK: all fine\nforged: all clear\u202eevil\u009b31m\x07 end';
/** What nothing in the terminal output may contain raw: C0/C1 controls, format characters (bidi, zero width), line/paragraph separators. */
const RAW_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function alert(i: number, summary: string): Alert {
  const time = Date.UTC(2026, 0, 1) + i * 1000;
  const event: SyslogEvent = {
    receivedAt: time,
    eventTime: time,
    timestamp: '',
    host: 'gw1',
    app: 'vpn',
    procId: '-',
    msgId: '-',
    facility: 4,
    severity: 4,
    message: summary,
    structuredData: {},
    source: '192.0.2.1',
    format: 'raw',
  };
  return {
    id: `alert-${String(i).padStart(4, '0')}`,
    ruleId: 'vpn-logon',
    kind: 'event',
    severity: 'warning',
    time,
    host: 'gw1',
    key: 'erin',
    summary,
    evidence: { events: [event] },
  };
}

/** analyzer.yaml over a database holding these alerts. */
async function storeWith(alerts: readonly Alert[], acknowledged: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-alerts-'));
  const dataDir = join(dir, 'data');
  const db = openDatabase(dataDir);
  const store = new AlertStore(db);
  for (const one of alerts) store.insert(one);
  for (const id of acknowledged) store.acknowledge(id, { by: 'erin', at: Date.UTC(2026, 0, 2), comment: '' });
  db.close();
  const config = join(dir, 'analyzer.yaml');
  await writeFile(config, `dataDir: ${dataDir}\nrules: []\n`);
  return config;
}

const linesOf = (stdout: string) => stdout.split('\n').slice(0, -1);

describe('alerts in the terminal', () => {
  it('alerts list shows control and bidi characters escaped, one line per alert', async () => {
    const config = await storeWith([alert(1, HOSTILE)]);
    const { code, stdout } = await cli(['alerts', 'list', '--config', config]);
    expect(code).toBe(0);
    const lines = linesOf(stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(RAW_CONTROL);
    expect(lines[0]).toMatch(/^alert-0001 2026-01-01T00:00:01\.000Z warning OPEN {3}/);
    expect(lines[0]!.endsWith(String.raw`disk full\x1b[2J\rOK: all fine\nforged: all clear\u202eevil\x9b31m\x07 end`)).toBe(true);
  });

  it('alerts list --json and alerts show print JSON with the same characters escaped, which parses back to the message', async () => {
    const config = await storeWith([alert(1, HOSTILE)]);
    const list = await cli(['alerts', 'list', '--json', '--config', config]);
    expect(list.code).toBe(0);
    expect(linesOf(list.stdout)).toHaveLength(1);
    expect(linesOf(list.stdout)[0]).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(list.stdout).summary).toBe(HOSTILE);

    const show = await cli(['alerts', 'show', 'alert-0001', '--config', config]);
    expect(show.code).toBe(0);
    expect(show.stdout.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
    expect(show.stdout).toContain(String.raw`\u202e`);
    const shown = JSON.parse(show.stdout);
    expect(shown.summary).toBe(HOSTILE);
    expect(shown.evidence.events[0].message).toBe(HOSTILE);
  });

  it('alerts list says how many alerts it did not show, and --limit shows more or all', async () => {
    const alerts = Array.from({ length: 150 }, (_, i) => alert(i, `alert number ${i}`));
    const config = await storeWith(alerts, ['alert-0000', 'alert-0001']); // 148 open
    const byDefault = await cli(['alerts', 'list', '--config', config]);
    expect(linesOf(byDefault.stdout)).toHaveLength(100);
    expect(linesOf(byDefault.stdout)[0]).toContain('alert number 149'); // newest first
    expect(byDefault.stderr).toBe('48 more not shown; use --limit N, or --limit 0 for all\n');

    const limited = await cli(['alerts', 'list', '--limit', '120', '--all', '--config', config]);
    expect(linesOf(limited.stdout)).toHaveLength(120);
    expect(limited.stderr).toBe('30 more not shown; use --limit N, or --limit 0 for all\n');

    const json = await cli(['alerts', 'list', '--json', '--limit', '10', '--config', config]);
    expect(linesOf(json.stdout).map((line) => JSON.parse(line).id)).toHaveLength(10);
    expect(json.stderr).toBe('138 more not shown; use --limit N, or --limit 0 for all\n');

    const all = await cli(['alerts', 'list', '--limit', '0', '--all', '--config', config]);
    expect({ lines: linesOf(all.stdout).length, stderr: all.stderr }).toEqual({ lines: 150, stderr: '' });

    const bad = await cli(['alerts', 'list', '--limit', 'many', '--config', config]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--limit/);
  });
});

describe('envirowatch analyze prints the alerts of a replay the same way', () => {
  it('escapes the hostile message in its lines and in --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyze-'));
    const rules = join(dir, 'rules.yaml');
    const log = join(dir, 'hostile.log');
    await writeFile(rules, 'rules:\n  - { id: disk, kind: event, match: { regex: "^disk" }, key: "${host}" }\n');
    // One log line: the CR and LF are the line's own text once read, so write them as a 5424 message.
    await writeFile(log, `<13>1 2026-01-01T00:00:00Z gw1 app - - - ${HOSTILE.replace(/[\r\n]/g, ' ')}\n`);
    for (const json of [false, true]) {
      const { code, stdout } = await cli(['analyze', '--rules', rules, '--input', log, ...(json ? ['--json'] : [])]);
      expect(code).toBe(0);
      expect(stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(stdout.trimEnd()).not.toMatch(RAW_CONTROL);
      expect(stdout).toContain(json ? '\\u001b[2J' : '\\x1b[2J');
    }
  });
});
