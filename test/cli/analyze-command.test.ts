/** `envirowatch analyze`: a log file through the rules from the command line, as JSON lines. */
import { execFile } from 'node:child_process';
import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/src/cli/envirowatch.mjs', import.meta.url));
const RULES = fileURLToPath(new URL('../../config/rules.example.yaml', import.meta.url));

function cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(CLI, args, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    child.stdin!.end(stdin);
  });
}

describe('envirowatch analyze', () => {
  it('replays a log that crosses New Year with --year and prints one JSON object per alert', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyze-'));
    const log = join(dir, 'vpn.log');
    const line = (when: string, ip: string) => `${when} openvpn[1]: openvpn server 'ovpns1' user 'carol' address '${ip}:5000' - connected`;
    // Learning starts Dec 28 2025; Jan 5 2026 is past the 7 days only if the year moved on at New Year.
    await writeFile(log, [line('Dec 28 10:00:00', '10.0.0.1'), line('Dec 31 23:59:59', '10.0.0.2'), line('Jan  5 10:00:00', '10.9.9.9'), ''].join('\n'));
    const { code, stdout, stderr } = await cli(['analyze', '--rules', RULES, '--input', log, '--json', '--year', '2025']);
    expect(code, stderr).toBe(0);
    const alerts = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ruleId: 'vpn-new-address',
      kind: 'anomaly',
      host: '',
      key: 'carol',
      value: '10.9.9.9',
      time: new Date(2026, 0, 5, 10).toISOString(),
    });
    expect(alerts[0].evidence.events[0]).toMatchObject({ source: `${log}:3`, app: 'openvpn' });
    expect(stderr).toBe('3 lines, 3 events\n');
  });

  it('reads standard input with `--input -`, UTF-8 as sent (a user name that is not ASCII, a CRLF line end)', async () => {
    const line = (ip: string) => `<134>1 2026-03-01T10:00:00Z vpn openvpn - - - openvpn server 'ovpns1' user 'jürgen' address '${ip}:5000' - connected`;
    const { code, stdout, stderr } = await cli(
      ['analyze', '--rules', RULES, '--input', '-', '--json'],
      [line('10.0.0.1'), line('10.0.0.2').replace('03-01', '03-20')].join('\r\n'),
    );
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({ key: 'jürgen', value: '10.0.0.2', host: 'vpn', evidence: { events: [{ source: 'stdin:2' }] } });
    expect(stderr).toBe('2 lines, 2 events\n');
  });

  it('without --year, no line is later than the file: a log copied on Dec 4 reads its March lines as this March, and crosses New Year', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyze-'));
    const log = join(dir, 'vpn.log');
    const line = (when: string, ip: string) => `${when} openvpn[1]: openvpn server 'ovpns1' user 'dave' address '${ip}:5000' - connected`;
    // Learning starts Mar 1; Mar 20 is past the 7 days: the alert's time says which year each line was read in.
    await writeFile(log, [line('Mar  1 10:00:00', '10.0.0.1'), line('Mar 20 10:00:00', '10.9.9.9'), ''].join('\n'));
    await utimes(log, new Date(2026, 11, 4), new Date(2026, 11, 4));
    const march = await cli(['analyze', '--rules', RULES, '--input', log, '--json']);
    expect(march.code, march.stderr).toBe(0);
    // The nearest year to Dec 4 2026 would be 2027 (3 months away against 9): a file holds no line from after it was written.
    expect(JSON.parse(march.stdout.trim()).time).toBe(new Date(2026, 2, 20, 10).toISOString());

    await writeFile(log, [line('Dec 28 10:00:00', '10.0.0.1'), line('Jan  5 10:00:00', '10.9.9.9'), ''].join('\n'));
    await utimes(log, new Date(2027, 0, 6), new Date(2027, 0, 6));
    const newYear = await cli(['analyze', '--rules', RULES, '--input', log, '--json']);
    expect(JSON.parse(newYear.stdout.trim()).time).toBe(new Date(2027, 0, 5, 10).toISOString());
  });

  it("prints a problem's opening and its resolution, each marked (sensor-critical on the agent's STATUS lines)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyze-'));
    const log = join(dir, 'sensors.log');
    const status = (minute: number, from: string, to: string, severity: number) =>
      `<${128 + severity}>1 2026-05-01T10:0${minute}:00Z sensor-7 envirowatch 42 STATUS - Temperature ${from} -> ${to} (31 °C)`;
    await writeFile(log, [status(0, 'warning', 'critical', 2), status(1, 'ok', 'critical', 2), status(5, 'critical', 'ok', 5), ''].join('\n'));
    const { code, stdout, stderr } = await cli(['analyze', '--rules', RULES, '--input', log, '--json']);
    expect(code, stderr).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((a) => [a.ruleId, a.key, a.problem, a.time]),
    ).toEqual([
      ['sensor-critical', 'sensor-7/Temperature', 'open', '2026-05-01T10:00:00.000Z'],
      ['sensor-critical', 'sensor-7/Temperature', 'resolved', '2026-05-01T10:05:00.000Z'],
    ]);
    const text = await cli(['analyze', '--rules', RULES, '--input', log]);
    expect(text.stdout.split('\n')[1]).toBe(
      '2026-05-01T10:05:00.000Z crit    sensor-critical [resolved] sensor-7: sensor-critical: sensor-7 envirowatch: Temperature critical -> ok (31 °C)',
    );
  });

  it('explains a bad rules file with its line and exits 2; a missing input exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyze-'));
    const rules = join(dir, 'rules.yaml');
    await writeFile(rules, 'rules:\n  - id: x\n    kind: timer\n    start: { regex: "a" }\n    end: { regex: "b" }\n    key: ${id}\n');
    expect(await cli(['analyze', '--rules', rules, '--input', '/dev/null'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`${rules}:6: rules.0.key: \${id} is not a named group`),
    });
    expect(await cli(['analyze', '--rules', RULES, '--input', join(dir, 'missing.log')])).toMatchObject({ code: 1, stderr: expect.stringContaining('ENOENT') });
  });
});
