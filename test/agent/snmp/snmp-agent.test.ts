/** The agent as Net-SNMP's own tools see it, over 127.0.0.1 (and ::1), SNMPv1 and v2c. */
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../../src/agent/agent.js';
import { snmpConfigSchema } from '../../../src/agent/snmp/config.js';
import { SnmpAgent, SnmpBindError } from '../../../src/agent/snmp/snmp-agent.js';
import { SIMULATED_BME280_ADDRESS } from '../../../src/agent/simulation/board.js';
import { silentLogger } from '../../../src/common/logger.js';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { testMibOptions } from '../../helpers/snmp-test-mib.js';
import { requireNetSnmpTools, runTool, startSnmpAgent, type RunningSnmpAgent } from '../../helpers/snmp-tools.js';
import { freeUdpPort } from '../../helpers/ports.js';

const TABLE = '1.3.6.1.4.1.21600.1.5.1.1.1';
let running: RunningSnmpAgent | undefined;

beforeAll(() => requireNetSnmpTools());
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(yaml = '', config = {}): Promise<{ agent: RunningSnmpAgent; snapshot: AgentSnapshot; units: 'fahrenheit' | 'celsius' }> {
  const fixture = await agentFixture(yaml);
  const snapshot = await fixture.poll();
  const units = yaml.includes('celsius') ? 'celsius' : 'fahrenheit';
  running = await startSnmpAgent({ snapshot: () => snapshot, units: { temperature: units }, config });
  return { agent: running, snapshot, units };
}

/** The original's nine lines, with this snapshot's values (integers in the configured unit). */
function originalNineLines(snapshot: AgentSnapshot, units: 'fahrenheit' | 'celsius'): string[] {
  const value = (quantity: string) => snapshot.quantities.find((q) => q.quantity === quantity)!.reading!.value;
  const temperature = units === 'fahrenheit' ? value('temperature') * 1.8 + 32 : value('temperature');
  return [
    'iso.3.6.1.4.1.21600.1.5.1.1.1.1.1 = INTEGER: 1',
    'iso.3.6.1.4.1.21600.1.5.1.1.1.1.2 = INTEGER: 2',
    'iso.3.6.1.4.1.21600.1.5.1.1.1.1.3 = INTEGER: 3',
    'iso.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"',
    'iso.3.6.1.4.1.21600.1.5.1.1.1.2.2 = STRING: "Humidity"',
    'iso.3.6.1.4.1.21600.1.5.1.1.1.2.3 = STRING: "Light"',
    `iso.3.6.1.4.1.21600.1.5.1.1.1.3.1 = INTEGER: ${Math.round(temperature)}`,
    `iso.3.6.1.4.1.21600.1.5.1.1.1.3.2 = INTEGER: ${Math.round(value('humidity'))}`,
    `iso.3.6.1.4.1.21600.1.5.1.1.1.3.3 = INTEGER: ${Math.round(value('light'))}`,
  ];
}

/** True when `needles` appear in `haystack` in the same relative order. */
function isSubsequence(needles: readonly string[], haystack: readonly string[]): boolean {
  let at = 0;
  for (const line of haystack) if (line === needles[at]) at++;
  return at === needles.length;
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('the original sensor table', () => {
  for (const [tool, version] of [
    ['snmpwalk', '-v2c'],
    ['snmpwalk', '-v1'],
    ['snmpbulkwalk', '-v2c'],
  ] as const) {
    it(`${tool} ${version} shows the original nine lines in order, values from the snapshot`, async () => {
      const { agent, snapshot, units } = await start();
      const result = await runTool(tool, [version, '-c', 'public', agent.target, TABLE]);
      expect(result.stderr).toBe('');
      const walk = lines(result.stdout);
      const nine = originalNineLines(snapshot, units);
      expect(isSubsequence(nine, walk), walk.join('\n')).toBe(true);
      // The rows and columns the original had, read back alone, are exactly its nine lines.
      expect(walk.filter((line) => /\.21600\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line))).toEqual(nine);
      // 5 rows × 9 columns; the walk ends with the table (the SNMP entity's objects follow it).
      expect(walk).toHaveLength(5 * 9);
      expect(walk.at(-1)).toMatch(/\.21600\.1\.5\.1\.1\.1\.9\.5 = INTEGER: /);
    });
  }

  it('shows °C integers when the agent is configured in celsius, and says so in the unit column', async () => {
    const { agent, snapshot, units } = await start('units:\n  temperature: celsius\n');
    const walk = lines((await runTool('snmpwalk', ['-v2c', '-c', 'public', agent.target, TABLE])).stdout);
    expect(isSubsequence(originalNineLines(snapshot, units), walk)).toBe(true);
    expect(walk).toContain('iso.3.6.1.4.1.21600.1.5.1.1.1.5.1 = STRING: "degC"');
  });

  for (const version of ['-v1', '-v2c']) {
    it(`snmptable ${version} with the original's three columns in its MIB reads all five rows`, async () => {
      const { agent, snapshot, units } = await start();
      const result = await runTool('snmptable', [...testMibOptions(), version, '-c', 'public', '-Cf', ',', agent.target, 'ENVIROWATCH-TEST-MIB::sensorTable']);
      const value = (n: number) => originalNineLines(snapshot, units)[6 + n]!.split('INTEGER: ')[1];
      expect(result.stderr).toBe('');
      const table = lines(result.stdout);
      expect(table.slice(0, 7)).toEqual([
        'SNMP table: ENVIROWATCH-TEST-MIB::sensorTable',
        'sensorIndex,sensorType,sensorValue',
        `1,"Temperature",${value(0)}`,
        `2,"Humidity",${value(1)}`,
        `3,"Light",${value(2)}`,
        expect.stringMatching(/^4,"Pressure",\d+$/),
        expect.stringMatching(/^5,"Proximity",\d+$/),
      ]);
      // GetBulk (v2c) reaches the added columns, which an old MIB does not name: a warning, not an error.
      expect(table.slice(7)).toEqual(version === '-v2c' ? ['ENVIROWATCH-TEST-MIB::sensorTable: WARNING: More columns on agent than in MIB'] : []);
    });
  }

  it('follows the live agent: a BME280 that drops off the bus keeps its rows, status error(4), last value, growing age', async () => {
    const fixture = await agentFixture();
    const good = await fixture.poll();
    running = await startSnmpAgent({ snapshot: () => fixture.agent.snapshot(), clock: fixture.clock });
    fixture.board.bus.setAbsent(SIMULATED_BME280_ADDRESS, true);
    for (let i = 0; i < 3; i++) await fixture.poll();
    const cells = ['3.1', '6.1', '9.1', '6.2', '6.3'].map((cell) => `${TABLE}.${cell}`);
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', running.target, ...cells]);
    const last = good.quantities.find((q) => q.quantity === 'temperature')!.reading!;
    const ageSeconds = Math.floor((fixture.clock.now() - last.timestamp) / 1000);
    // temperature value, temperature status, its age; humidity (same chip) error; light (other chip) ok.
    expect(lines(result.stdout)).toEqual([String(Math.round(last.value * 1.8 + 32)), '4', String(ageSeconds), '4', '1']);
    expect(ageSeconds).toBeGreaterThan(0);
  });

  it('snmpget and snmpgetnext read single cells', async () => {
    const { agent } = await start();
    const get = await runTool('snmpget', ['-v2c', '-c', 'public', agent.target, `${TABLE}.2.4`, `${TABLE}.5.2`, `${TABLE}.6.3`]);
    expect(lines(get.stdout)).toEqual([
      'iso.3.6.1.4.1.21600.1.5.1.1.1.2.4 = STRING: "Pressure"',
      'iso.3.6.1.4.1.21600.1.5.1.1.1.5.2 = STRING: "%RH"',
      'iso.3.6.1.4.1.21600.1.5.1.1.1.6.3 = INTEGER: 1',
    ]);
    const next = await runTool('snmpgetnext', ['-v1', '-c', 'public', agent.target, `${TABLE}.2.5`]);
    // After the last row of column 2 comes the first row of column 3.
    expect(lines(next.stdout)).toEqual([expect.stringMatching(/^iso\.3\.6\.1\.4\.1\.21600\.1\.5\.1\.1\.1\.3\.1 = INTEGER: -?\d+$/)]);
  });
});

describe('exceptions, v1 and v2c', () => {
  it('v2c: noSuchObject and noSuchInstance', async () => {
    const { agent } = await start();
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', agent.target, '1.3.6.1.2.1.1.9.0', `${TABLE}.3.9`]);
    expect(lines(result.stdout)).toEqual([
      'iso.3.6.1.2.1.1.9.0 = No Such Object available on this agent at this OID',
      'iso.3.6.1.4.1.21600.1.5.1.1.1.3.9 = No Such Instance currently exists at this OID',
    ]);
  });

  it('v1: noSuchName, never a v2 exception value', async () => {
    const { agent } = await start();
    const get = await runTool('snmpget', ['-v1', '-c', 'public', '-Cf', agent.target, `${TABLE}.3.9`]);
    expect(get.stderr).toMatch(/\(noSuchName\)/);
    expect(get.stderr).toContain(`Failed object: iso.${TABLE.slice(2)}.3.9`);
    // usmStatsDecryptionErrors.0, the last object in the view.
    const next = await runTool('snmpgetnext', ['-v1', '-c', 'public', agent.target, '1.3.6.1.6.3.15.1.1.6.0']);
    expect(next.stderr).toMatch(/\(noSuchName\)/);
  });

  it('refuses SET as read-only: noAccess in v2c, noSuchName in v1', async () => {
    const { agent } = await start();
    const v2 = await runTool('snmpset', ['-v2c', '-c', 'public', agent.target, '1.3.6.1.2.1.1.5.0', 's', 'x']);
    expect(v2.stderr).toMatch(/Reason: noAccess/);
    const v1 = await runTool('snmpset', ['-v1', '-c', 'public', agent.target, '1.3.6.1.2.1.1.5.0', 's', 'x']);
    expect(v1.stderr).toMatch(/Reason: \(noSuchName\)/);
  });
});

describe('system group and the whole view', () => {
  it('a v2c walk from .1 lists the system group, then the table, then the SNMP entity, and ends cleanly', async () => {
    const { agent } = await start('', { sysContact: 'ops@example.org', sysLocation: 'server room 2' });
    agent.clock.advance(12_340);
    const result = await runTool('snmpwalk', ['-v2c', '-c', 'public', agent.target, '.1']);
    expect(result.code).toBe(0);
    const walk = lines(result.stdout);
    expect(walk.slice(0, 7)).toEqual([
      'iso.3.6.1.2.1.1.1.0 = STRING: "envirowatch test agent"',
      'iso.3.6.1.2.1.1.2.0 = OID: iso.3.6.1.4.1.21600.1.5',
      'iso.3.6.1.2.1.1.3.0 = Timeticks: (1234) 0:00:12.34',
      'iso.3.6.1.2.1.1.4.0 = STRING: "ops@example.org"',
      'iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"',
      'iso.3.6.1.2.1.1.6.0 = STRING: "server room 2"',
      'iso.3.6.1.2.1.1.7.0 = INTEGER: 72',
    ]);
    // System group with sysORLastChange and 4 sysORTable rows × 3 columns, table, snmp group 8, snmpEngine 4, usmStats 6.
    expect(walk).toHaveLength(7 + 1 + 12 + 45 + 8 + 4 + 6 + 1);
    expect(walk.at(-1)).toBe('iso.3.6.1.6.3.15.1.1.6.0 = No more variables left in this MIB View (It is past the end of the MIB tree)');
  });

  it('the snmp group counters are current in the response that reads them, though the view is kept between requests', async () => {
    // The clock stands still, so the view built for the first request answers every later one:
    // only counters read as each request reaches them can move. snmpInPkts counts every message
    // delivered by the transport (RFC 3418), the request reading it included.
    const { agent } = await start();
    const [inPkts, inBadCommunityNames] = ['1.3.6.1.2.1.11.1.0', '1.3.6.1.2.1.11.4.0'];
    const read = async (tool: 'snmpget' | 'snmpgetnext', oid: string) =>
      Number((await runTool(tool, ['-v2c', '-c', 'public', '-Oqv', agent.target, oid])).stdout.trim());
    const first = await read('snmpget', inPkts);
    expect(await read('snmpget', inPkts)).toBe(first + 1);
    await runTool('snmpget', ['-v2c', '-c', 'wrong', '-r', '0', '-t', '0.3', agent.target, inPkts]);
    expect(await read('snmpget', inBadCommunityNames)).toBe(1);
    // snmpInPkts.0 is the instance after the snmp group's own OID.
    expect(await read('snmpgetnext', '1.3.6.1.2.1.11')).toBe(first + 4);
    expect(agent.agent.counters.packets).toBe(first + 4);
  });

  it('sysName is the host name unless configured', async () => {
    const { agent } = await start('', { sysName: null });
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(lines(result.stdout)).toEqual([`iso.3.6.1.2.1.1.5.0 = STRING: "${hostname()}"`]);
  });

  it('a v1 walk from .1 ends at End of MIB, and snmpbulkwalk sees the same 83 objects', async () => {
    const { agent } = await start();
    const v1 = await runTool('snmpwalk', ['-v1', '-c', 'public', agent.target, '.1']);
    expect(lines(v1.stdout)).toHaveLength(83 + 1);
    expect(lines(v1.stdout).at(-1)).toBe('End of MIB');
    expect(v1.stderr).toBe('');
    const bulk = await runTool('snmpbulkwalk', ['-v2c', '-c', 'public', '-Cr50', agent.target, '.1']);
    // Counters and engine time move between the two walks; the OIDs and the rest may not.
    const stable = (walk: string[]) => walk.slice(0, 83).map((line) => (/^iso\.3\.6\.1\.(2\.1\.11|6\.3)\./.test(line) ? line.split(' = ')[0] : line));
    expect(stable(lines(bulk.stdout))).toEqual(stable(lines(v1.stdout)));
  });
});

describe('sockets', () => {
  it('serves IPv6 too', async () => {
    const fixture = await agentFixture();
    const snapshot = await fixture.poll();
    running = await startSnmpAgent({ snapshot: () => snapshot, config: { addresses: ['::1'] } });
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', `udp6:[::1]:${running.port}`, '1.3.6.1.2.1.1.5.0']);
    expect(lines(result.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
  });

  it('listens on 0.0.0.0 and :: together on one port (dual stack)', async () => {
    const port = await freeUdpPort();
    const fixture = await agentFixture();
    const snapshot = await fixture.poll();
    running = await startSnmpAgent({ snapshot: () => snapshot, config: { addresses: ['0.0.0.0', '::'], port } });
    for (const target of [`127.0.0.1:${port}`, `udp6:[::1]:${port}`]) {
      const result = await runTool('snmpget', ['-v2c', '-c', 'public', target, '1.3.6.1.2.1.1.5.0']);
      expect(lines(result.stdout), target).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
    }
  });

  it('rejects start() with a clear error when the port is taken', async () => {
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
    const { port } = blocker.address();
    const config = snmpConfigSchema.parse({ addresses: ['127.0.0.1'], port, communities: [{ name: 'public' }] });
    const agent = new SnmpAgent({
      config,
      snapshot: () => ({ timestamp: 0, quantities: [], sensors: [] }),
      units: { temperature: 'celsius' },
      thresholds: {},
      logger: silentLogger,
    });
    const failure = agent.start();
    await expect(failure).rejects.toBeInstanceOf(SnmpBindError);
    await expect(failure).rejects.toThrow(`cannot listen for SNMP on udp 127.0.0.1:${port}: EADDRINUSE (another program (snmpd?) already uses this port)`);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('rejects an address this host does not have, and releases the addresses it had bound', async () => {
    const port = await freeUdpPort();
    // 192.0.2.1 is TEST-NET-1 (RFC 5737), never assigned to a real interface; 127.0.0.1 binds first.
    const config = snmpConfigSchema.parse({ addresses: ['127.0.0.1', '192.0.2.1'], port, communities: [{ name: 'public' }] });
    const agent = new SnmpAgent({
      config,
      snapshot: () => ({ timestamp: 0, quantities: [], sensors: [] }),
      units: { temperature: 'celsius' },
      thresholds: {},
      logger: silentLogger,
    });
    await expect(agent.start()).rejects.toThrow(`cannot listen for SNMP on udp 192.0.2.1:${port}: EADDRNOTAVAIL (no interface has this address)`);
    // The 127.0.0.1 socket was closed again: the port is free.
    const again = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });
});
