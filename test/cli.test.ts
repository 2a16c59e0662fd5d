import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freeUdpPort } from './helpers/ports.js';
import { requireNetSnmpTools, runTool } from './helpers/snmp-tools.js';
import { startSnmptrapd } from './helpers/snmptrapd.js';
import { startSnmpd } from './helpers/snmpd.js';

// The built CLI as users run it (`npm test` builds first): the bundle, started through its own
// first line, so its node flags and the bundling are tested too.
const CLI = fileURLToPath(new URL('../dist/src/cli/envirowatch.mjs', import.meta.url));
const run = promisify(execFile);

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(CLI, args, { env: { ...process.env, ENVIROWATCH_CONFIG: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function tempFile(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'envirowatch-cli-')), name);
  await writeFile(file, text);
  return file;
}

describe('envirowatch CLI', () => {
  it('read --simulate --json prints one reading of every sensor and exits 0', async () => {
    const { code, stdout } = await cli(['read', '--simulate', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report.quantities)).toEqual(['temperature', 'humidity', 'pressure', 'light', 'proximity']);
    // The scripted room at its start: 23 °C = 73.4 °F, 40 %RH, 1013.25 hPa, 320 lux.
    expect(report.quantities.temperature).toMatchObject({ name: 'Temperature', unit: '°F', status: 'ok' });
    expect(report.quantities.temperature.value).toBeCloseTo(73.4, 0);
    expect(report.quantities.temperature.raw).toBeGreaterThan(80); // the chip above the CPU is warmer
    expect(report.quantities.humidity.value).toBeCloseTo(40, -1);
    expect(report.quantities.pressure).toMatchObject({ unit: 'hPa' });
    expect(report.quantities.pressure.value).toBeCloseTo(1013.3, 0);
    expect(report.quantities.light.unit).toBe('lux');
    expect(report.sensors).toEqual({ bme280: { ok: true }, ltr559: { ok: true } });
    expect(Date.parse(report.timestamp)).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it('read honours the configured unit', async () => {
    const file = await tempFile('agent.yaml', 'units:\n  temperature: celsius\n');
    const { code, stdout } = await cli(['read', '--simulate', '--config', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Temperature 2[23](\.\d)? °C ok · Humidity \d+(\.\d)? %RH ok · Pressure 101\d(\.\d)? hPa ok · Light \d+(\.\d)? lux ok/);
  });

  it('check-config accepts the shipped sample and explains mistakes with key path and line', async () => {
    const sample = fileURLToPath(new URL('../config/agent.yaml', import.meta.url));
    expect(await cli(['check-config', sample])).toMatchObject({ code: 0, stdout: `${sample}: OK\n` });

    const bad = await tempFile('agent.yaml', 'poll:\n  interval: soon\nsensors:\n  ltr559:\n    gain: 3\n');
    const { code, stderr } = await cli(['check-config', bad]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').sort()).toEqual([
      `${bad}:2: poll.interval: "soon" is not a duration like 500ms, 2s, 1m or 1h`,
      `${bad}:5: sensors.ltr559.gain: must be 1, 2, 4, 8, 48 or 96`,
    ]);
  });

  it('check-config takes the file from $ENVIROWATCH_CONFIG and reports a missing file', async () => {
    const { code, stderr } = await cli(['check-config'], { ENVIROWATCH_CONFIG: '/nonexistent/agent.yaml' });
    expect(code).toBe(2);
    expect(stderr).toBe('/nonexistent/agent.yaml: file not found\n');
  });

  it('agent refuses to start on a broken config', async () => {
    const bad = await tempFile('agent.yaml', 'thresholds:\n  humidity:\n    low: { warning: 5, critical: 10 }\n');
    const { code, stderr } = await cli(['agent', '--simulate', '--config', bad]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}:3: thresholds.humidity.low.warning: low warning (5) must not be below low critical (10)`);
  });

  it('read without hardware fails clearly instead of printing made-up values', async () => {
    const file = await tempFile('agent.yaml', 'i2c:\n  bus: 99\n');
    const { code, stdout, stderr } = await cli(['read', '--config', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/cannot open \/dev\/i2c-99|i2c-bus native module/);
    expect(stderr).toContain('no sensor board here? envirowatch read --simulate reads the emulated one\n');
  });

  it('read says on stderr which sensor failed and why, and exits 1', async () => {
    // The BME280 looked for at 0x77, where the simulated board has nothing.
    const file = await tempFile('agent.yaml', 'sensors:\n  bme280:\n    address: 0x77\n');
    const { code, stdout, stderr } = await cli(['read', '--simulate', '--config', file]);
    expect(code).toBe(1);
    expect(stderr).toBe('bme280: Remote I/O error at 0x77 register 0xD0\n');
    expect(stdout).toMatch(/Temperature -- ERROR .* Light \d+(\.\d)? lux ok/);
  });

  it('starts with every LTR-559 integration time the config accepts', async () => {
    for (const ms of [150, 400]) {
      const file = await tempFile('agent.yaml', `sensors:\n  ltr559:\n    integrationTimeMs: ${ms}\n`);
      expect(await cli(['check-config', file])).toMatchObject({ code: 0 });
      const { code, stdout } = await cli(['read', '--simulate', '--json', '--config', file]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout).quantities.light.status).toBe('ok');
    }
  });

  it('agent --simulate serves the readings over SNMP, prints them, and stops cleanly on Ctrl-C', async () => {
    requireNetSnmpTools();
    const config = await tempFile('agent.yaml', 'snmp:\n  addresses: [127.0.0.1]\n  port: 0\n  communities: [{ name: public }]\n');
    const child = spawn(CLI, ['agent', '--simulate', '--print-readings', '--config', config], { env: { ...process.env, ENVIROWATCH_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const readings = () => stdout.split('\n').filter((line) => line.includes('Temperature'));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (readings().length >= 1) resolve();
      });
    });
    const port = /msg="SNMP agent listening" addresses=127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
    expect(port).toBeDefined();
    const walk = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-On', `127.0.0.1:${port}`, '1.3.6.1.4.1.21600.1.5.1.1.1.2']);
    expect(walk.stdout.trim().split('\n').slice(0, 3)).toEqual([
      '.1.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"',
      '.1.3.6.1.4.1.21600.1.5.1.1.1.2.2 = STRING: "Humidity"',
      '.1.3.6.1.4.1.21600.1.5.1.1.1.2.3 = STRING: "Light"',
    ]);
    // The printed reading and the SNMP value are the same rounded °F.
    const printed = Number(/Temperature (\d+(?:\.\d)?) °F/.exec(readings()[0]!)?.[1]);
    const served = await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', `127.0.0.1:${port}`, '1.3.6.1.4.1.21600.1.5.1.1.1.3.1']);
    expect(Math.abs(Number(served.stdout.trim()) - printed)).toBeLessThanOrEqual(1);

    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(readings()[0]).toMatch(/Temperature 7\d(\.\d)? °F ok · Humidity \d+(\.\d)? %RH ok/);
    expect(stdout).toMatch(/msg="agent stopped"/);
    expect(stderr).toBe('');
  });

  it('agent without its I²C bus keeps answering SNMP, every row in error, and says why on stderr', async () => {
    const config = await tempFile(
      'agent.yaml',
      'i2c: { bus: 99 }\ncpuCorrection: { enabled: false }\nsnmp:\n  addresses: [127.0.0.1]\n  port: 0\n  communities: [{ name: public }]\n',
    );
    const child = spawn(CLI, ['agent', '--config', config], { env: { ...process.env, ENVIROWATCH_CONFIG: '' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 10_000;
      while (!output.includes('Temperature stale → error') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toMatch(/I²C bus not available; the sensors report error, and the bus is looked for again at every poll.*cannot open \/dev\/i2c-99/);
      const port = /msg="SNMP agent listening" addresses=127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      const status = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-Oqv', `127.0.0.1:${port}`, '1.3.6.1.4.1.21600.1.5.1.1.1.6']);
      expect(status.stdout.trim().split('\n')).toEqual(['4', '4', '4', '4', '4']); // error(4)
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('agent sends a threshold change as an SNMP inform that snmptrapd acknowledges', async () => {
    const trapd = await startSnmptrapd();
    try {
      // A critical limit the simulated room (73 °F) is above: the first reading is a change.
      const config = await tempFile(
        'agent.yaml',
        [
          'thresholds:',
          '  temperature:',
          '    high: { critical: 60 }',
          'snmp:',
          '  addresses: [127.0.0.1]',
          '  port: 0',
          '  notifications:',
          `    receivers: [{ host: 127.0.0.1, port: ${trapd.port}, kind: inform }]`,
          '',
        ].join('\n'),
      );
      const child = spawn(CLI, ['agent', '--simulate', '--config', config], { env: { ...process.env, ENVIROWATCH_CONFIG: '' } });
      const notification = await trapd.waitFor((n) => n.pdu === 'INFORM', 10_000);
      child.kill('SIGINT');
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      const value = (oid: string) => notification.varbinds.find((v) => v.oid === oid)?.value;
      expect(value('1.3.6.1.6.3.1.1.4.1.0')).toBe('1.3.6.1.4.1.21600.1.5.2.0.1'); // snmpTrapOID.0 = sensorStatusChange
      expect(value('1.3.6.1.4.1.21600.1.5.1.1.1.2.1')).toBe('Temperature');
      expect(value('1.3.6.1.4.1.21600.1.5.1.1.1.6.1')).toBe(3); // critical
      expect(value('1.3.6.1.4.1.21600.1.5.1.1.1.8.1')).toBe(6000); // the 60 °F limit, in hundredths
    } finally {
      await trapd.stop();
    }
  });

  it("agent in agentx mode serves its table through a real snmpd, beside snmpd's own system group", async () => {
    requireNetSnmpTools();
    const snmpd = await startSnmpd();
    try {
      const config = await tempFile('agent.yaml', `snmp:\n  mode: agentx\n  agentx:\n    socket: "${snmpd.agentxSocket}"\n`);
      const child = spawn(CLI, ['agent', '--simulate', '--print-readings', '--config', config], { env: { ...process.env, ENVIROWATCH_CONFIG: '' } });
      let stdout = '';
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()).includes('Temperature') ? resolve() : undefined)),
      );
      const walk = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-On', snmpd.target, '1.3.6.1.4.1.21600.1.5.1.1.1.2']);
      const sysDescr = await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', snmpd.target, '1.3.6.1.2.1.1.1.0']);
      child.kill('SIGINT');
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      expect(walk.stdout.trim().split('\n').slice(0, 3)).toEqual([
        '.1.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"',
        '.1.3.6.1.4.1.21600.1.5.1.1.1.2.2 = STRING: "Humidity"',
        '.1.3.6.1.4.1.21600.1.5.1.1.1.2.3 = STRING: "Light"',
      ]);
      expect(sysDescr.stdout).not.toMatch(/envirowatch/); // snmpd's own, not ours
      expect(sysDescr.stdout.trim()).not.toBe('');
    } finally {
      await snmpd.stop();
    }
  });

  it('agent exits non-zero with a clear message when the SNMP port is taken', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const config = await tempFile('agent.yaml', `snmp:\n  addresses: [127.0.0.1]\n  port: ${socket.address().port}\n`);
    const { code, stderr } = await cli(['agent', '--simulate', '--config', config]);
    socket.close();
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot start the SNMP agent.*EADDRINUSE|cannot start the SNMP agent.*in use/);
  });

  it('prints --version and --help', async () => {
    const { stdout: version } = await cli(['--version']);
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const { stdout: help } = await cli(['--help']);
    for (const command of ['read', 'agent', 'display', 'check-config']) expect(help).toContain(command);
  });

  it('display --png writes the sample screen for the chosen display as a PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-cli-'));
    for (const [type, size] of [
      ['st7735', [640, 320]],
      ['ssd1306', [512, 256]],
    ] as const) {
      const png = join(dir, `${type}.png`);
      const { code, stdout } = await cli(['display', '--png', png, '--type', type, '--sample', 'temperature-critical']);
      expect(code).toBe(0);
      expect(stdout).toBe(`${png}: ${type} ${size[0] / 4}x${size[1] / 4}, drawn 4x as ${size[0]}x${size[1]} pixels, sample temperature-critical\n`);
      const bytes = await readFile(png);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual(size);
    }
    expect(await cli(['display', '--png', join(dir, 'x.png'), '--sample', 'nonsense'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Allowed choices are normal, temperature-critical'),
    });
  });

  it('agent --simulate --display-snapshot keeps a PNG of the emulated LCD', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-cli-'));
    const config = join(dir, 'agent.yaml');
    const png = join(dir, 'screen.png');
    await writeFile(
      config,
      `snmp:\n  addresses: [127.0.0.1]\n  port: ${await freeUdpPort()}\n  communities: [{ name: public }]\ndisplay:\n  type: st7735\n  splash: 1s\n`,
    );
    const child = spawn(CLI, ['agent', '--simulate', '--config', config, '--display-snapshot', png], { env: { ...process.env, ENVIROWATCH_CONFIG: '' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const first = await waitForFile(png, 10_000);
      // The splash first, then the readings screen: the file is rewritten when the screen changes.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const later = await readFile(png);
      expect(later.subarray(1, 4).toString()).toBe('PNG');
      expect(later.equals(first)).toBe(false);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(stderr).toBe('');
  }, 20_000);
});

async function waitForFile(file: string, timeoutMs: number): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readFile(file);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
