/**
 * mibs/ENVIROWATCH-MIB.txt: it lints clean (but for the documented warnings), Net-SNMP's tools
 * name our agent's objects with it, and its OIDs are the ones src/agent/snmp serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot, QuantityState } from '../src/agent/agent.js';
import type { Quantity } from '../src/agent/readings/quantities.js';
import type { Status, Thresholds } from '../src/agent/readings/thresholds.js';
import { formatOid } from '../src/snmp/oid.js';
import { ENVIROWATCH_OID, SENSOR_ENTRY_OID } from '../src/agent/snmp/envirowatch-oids.js';
import { SENSOR_COLUMNS, SENSOR_INDEX, STATUS_CODE } from '../src/agent/snmp/sensor-table.js';
import { SENSOR_STATUS_CHANGE_OID, statusChangeVarbinds } from '../src/agent/snmp/status-change-varbinds.js';
import { ALERT_KIND_CODE, ALERT_STATE_CODE, ANALYZER_ALERT_OID, alertVarbinds } from '../src/analyzer/notify/snmp-alert.js';
import { ManualClock } from '../src/common/clock.js';
import { SEVERITIES } from '../src/common/syslog/format.js';
import { baseMibDir, MIB_DIR, requireTool, runWithMib, smilint } from './helpers/mib-tools.js';
import { startSnmpAgent, type RunningSnmpAgent } from './helpers/snmp-tools.js';

/**
 * The warnings smilint -l 6 leaves, each explained in mibs/README.md. Anything else, or any
 * error, fails the test.
 */
const DOCUMENTED_WARNINGS = ["warning: index element `sensorIndex' of row `sensorEntry' should be not-accessible in SMIv2 MIB"];

/** Column names in sensor-table.ts order (.1 … .9). */
const COLUMNS = [
  'sensorIndex',
  'sensorType',
  'sensorValue',
  'sensorValueHundredths',
  'sensorUnit',
  'sensorStatus',
  'sensorWarningLimit',
  'sensorCriticalLimit',
  'sensorReadingAge',
] as const;

const lines = (text: string) => text.split('\n').filter(Boolean);

beforeAll(() => {
  requireTool('smilint', 'smitools');
  requireTool('snmptable', 'snmp');
  baseMibDir();
});

describe('smilint', () => {
  it('finds no errors, and only the warnings mibs/README.md documents', async () => {
    const { result, messages } = await smilint();
    const report = messages.map((m) => `${m.line}: [${m.severity}] ${m.message}`).join('\n');
    expect(
      messages.filter((m) => m.severity <= 2),
      report,
    ).toEqual([]);
    expect(
      messages.map((m) => m.message),
      report,
    ).toEqual(DOCUMENTED_WARNINGS);
    expect(result.code).toBe(0);
    const readme = readFileSync(join(MIB_DIR, 'README.md'), 'utf8');
    for (const warning of DOCUMENTED_WARNINGS) expect(readme).toContain(warning);
  });
});

describe('snmptranslate', () => {
  it('gives every column the OID sensor-table.ts serves it under', async () => {
    expect(COLUMNS).toHaveLength(SENSOR_COLUMNS);
    const names = ['envirowatch', 'sensorEntry', ...COLUMNS, 'sensorStatusChange'].map((name) => `ENVIROWATCH-MIB::${name}`);
    const result = await runWithMib('snmptranslate', ['-On', ...names]);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual([
      `.${formatOid(ENVIROWATCH_OID)}`,
      `.${formatOid(SENSOR_ENTRY_OID)}`,
      ...COLUMNS.map((_, i) => `.${formatOid([...SENSOR_ENTRY_OID, i + 1])}`),
      `.${formatOid(SENSOR_STATUS_CHANGE_OID)}`,
    ]);
  });

  it("keeps the table at sensorEntry's parent and the enum values sensor-table.ts sends", async () => {
    const table = await runWithMib('snmptranslate', ['-On', 'ENVIROWATCH-MIB::sensorTable']);
    expect(lines(table.stdout)).toEqual([`.${formatOid(SENSOR_ENTRY_OID.slice(0, -1))}`]);
    const status = await runWithMib('snmptranslate', ['-Td', 'ENVIROWATCH-MIB::sensorStatus']);
    const enums = /SYNTAX\s+INTEGER\s*\{([^}]*)\}/.exec(status.stdout)?.[1];
    const parsed = Object.fromEntries([...(enums ?? '').matchAll(/(\w+)\((\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
    expect(parsed).toEqual(STATUS_CODE);
  });
});

describe("the analyzer's alert notification", () => {
  const OBJECTS = ['alertId', 'alertRuleId', 'alertKind', 'alertSeverity', 'alertHost', 'alertKey', 'alertValue', 'alertState', 'alertSummary', 'alertTime'];
  const enumsOf = async (name: string) => {
    const described = await runWithMib('snmptranslate', ['-Td', `ENVIROWATCH-MIB::${name}`]);
    const enums = /SYNTAX\s+INTEGER\s*\{([^}]*)\}/.exec(described.stdout)?.[1];
    return Object.fromEntries([...(enums ?? '').matchAll(/(\w+)\((\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
  };

  it('names analyzerAlert and its objects at the OIDs snmp-alert.ts sends, in the order it sends them', async () => {
    const result = await runWithMib('snmptranslate', ['-On', 'ENVIROWATCH-MIB::analyzerAlert', ...OBJECTS.map((name) => `ENVIROWATCH-MIB::${name}`)]);
    expect(result.stderr).toBe('');
    const varbinds = alertVarbinds({ id: 'a', ruleId: 'r', kind: 'eps', severity: 'err', time: 0, host: 'h', key: 'k', summary: 's', evidence: {} }, 0);
    expect(lines(result.stdout)).toEqual([`.${formatOid(ANALYZER_ALERT_OID)}`, ...varbinds.slice(2).map((v) => `.${formatOid(v.oid.slice(0, -1))}`)]);
    const described = await runWithMib('snmptranslate', ['-Td', 'ENVIROWATCH-MIB::analyzerAlert']);
    expect(
      /OBJECTS\s*\{([^}]*)\}/
        .exec(described.stdout)?.[1]
        ?.split(',')
        .map((name) => name.trim()),
    ).toEqual(OBJECTS);
  });

  it('has the enum values snmp-alert.ts sends for kind, state and severity', async () => {
    expect(await enumsOf('alertKind')).toEqual(ALERT_KIND_CODE);
    expect(await enumsOf('alertState')).toEqual(ALERT_STATE_CODE);
    // The syslog severities in their order, plus one.
    expect(Object.values(await enumsOf('alertSeverity'))).toEqual(SEVERITIES.map((_, code) => code + 1));
  });
});

// One row of each kind, with values whose renderings are known exactly.
const clock = new ManualClock();
const t0 = clock.now();
const fahrenheit = (f: number) => (f - 32) / 1.8;
const thresholds: Partial<Record<Quantity, Thresholds>> = {
  temperature: { high: { warning: fahrenheit(77), critical: fahrenheit(80) }, hysteresis: 1 / 1.8 },
  humidity: { low: { warning: 15, critical: 10 }, hysteresis: 1 },
};

function state(quantity: Quantity, status: Status, value: number | undefined, ageMs = 0): QuantityState {
  return {
    quantity,
    sensor: quantity === 'light' || quantity === 'proximity' ? 'ltr559' : 'bme280',
    reading: value === undefined ? undefined : { quantity, value, raw: value, timestamp: t0 - ageMs },
    level: status === 'warning' || status === 'critical' ? status : 'ok',
    status,
  };
}

function snapshot(temperatureC: number): AgentSnapshot {
  return {
    timestamp: t0,
    sensors: [],
    quantities: [
      state('temperature', 'ok', temperatureC),
      state('humidity', 'warning', 12.5, 2_000),
      state('light', 'ok', 312.46),
      state('pressure', 'stale', 1013.25, 30_000),
      state('proximity', 'error', undefined),
    ],
  };
}

let running: RunningSnmpAgent | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the live agent through the MIB', () => {
  it('snmptable names the columns and shows five rows, enum labels and two decimals', async () => {
    // 23 °C is 73.4 °F. Net-SNMP writes a hundredths value below 1 without its leading zero
    // (0 is ".00"): that is its rendering of DISPLAY-HINT "d-2", documented in mibs/README.md.
    running = await startSnmpAgent({ snapshot: () => snapshot(23), thresholds, clock });
    const result = await runWithMib('snmptable', ['-v2c', '-c', 'public', '-Cf', ',', running.target, 'ENVIROWATCH-MIB::sensorTable']);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual([
      'SNMP table: ENVIROWATCH-MIB::sensorTable',
      COLUMNS.join(','),
      '1,Temperature,73,73.40,degF,ok,77.00,80.00,0 seconds',
      '2,Humidity,13,12.50,%RH,warning,15.00,10.00,2 seconds',
      '3,Light,312,312.46,lux,ok,.00,.00,0 seconds',
      '4,Pressure,1013,1013.25,hPa,stale,.00,.00,30 seconds',
      '5,Proximity,0,.00,counts,error,.00,.00,-1 seconds',
    ]);
    expect(Object.values(SENSOR_INDEX).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('snmpwalk of sensorEntry prints symbolic names, enum labels, hints and units', async () => {
    running = await startSnmpAgent({ snapshot: () => snapshot(-7.46), units: { temperature: 'celsius' }, thresholds, clock });
    const result = await runWithMib('snmpwalk', ['-v2c', '-c', 'public', running.target, 'ENVIROWATCH-MIB::sensorEntry']);
    expect(result.stderr).toBe('');
    const walk = lines(result.stdout);
    // The walk ends with the table (the SNMP entity's objects follow it in the view).
    expect(walk).toHaveLength(5 * SENSOR_COLUMNS);
    expect(walk.at(-1)).toMatch(/^ENVIROWATCH-MIB::sensorReadingAge\.5 = INTEGER: /);
    expect(walk.filter((line) => line.includes('.1 = '))).toEqual([
      'ENVIROWATCH-MIB::sensorIndex.1 = INTEGER: 1',
      'ENVIROWATCH-MIB::sensorType.1 = STRING: Temperature',
      'ENVIROWATCH-MIB::sensorValue.1 = INTEGER: -7',
      'ENVIROWATCH-MIB::sensorValueHundredths.1 = INTEGER: -7.46',
      'ENVIROWATCH-MIB::sensorUnit.1 = STRING: degC',
      'ENVIROWATCH-MIB::sensorStatus.1 = INTEGER: ok(1)',
      'ENVIROWATCH-MIB::sensorWarningLimit.1 = INTEGER: 25.00',
      'ENVIROWATCH-MIB::sensorCriticalLimit.1 = INTEGER: 26.67',
      'ENVIROWATCH-MIB::sensorReadingAge.1 = INTEGER: 0 seconds',
    ]);
    expect(walk.filter((line) => line.startsWith('ENVIROWATCH-MIB::sensorType.')).map((line) => line.split(': ')[1])).toEqual([
      'Temperature',
      'Humidity',
      'Light',
      'Pressure',
      'Proximity',
    ]);
    expect(walk.filter((line) => line.startsWith('ENVIROWATCH-MIB::sensorStatus.'))).toEqual([
      'ENVIROWATCH-MIB::sensorStatus.1 = INTEGER: ok(1)',
      'ENVIROWATCH-MIB::sensorStatus.2 = INTEGER: warning(2)',
      'ENVIROWATCH-MIB::sensorStatus.3 = INTEGER: ok(1)',
      'ENVIROWATCH-MIB::sensorStatus.4 = INTEGER: stale(5)',
      'ENVIROWATCH-MIB::sensorStatus.5 = INTEGER: error(4)',
    ]);
  });

  it('names sysObjectID: the agent is ENVIROWATCH-MIB::envirowatch', async () => {
    running = await startSnmpAgent({ snapshot: () => snapshot(23), thresholds, clock });
    const result = await runWithMib('snmpget', ['-v2c', '-c', 'public', running.target, '1.3.6.1.2.1.1.2.0']);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual(['SNMPv2-MIB::sysObjectID.0 = OID: ENVIROWATCH-MIB::envirowatch']);
  });
});

describe('sensorStatusChange', () => {
  it('lists as OBJECTS, in order, what status-change-varbinds.ts sends, then the limit as an extra varbind', async () => {
    const definition = await runWithMib('snmptranslate', ['-Td', 'ENVIROWATCH-MIB::sensorStatusChange']);
    const objects = /OBJECTS\s*\{([^}]*)\}/
      .exec(definition.stdout)?.[1]
      ?.split(',')
      .map((name) => name.trim());
    // Temperature going ok -> warning above 77 °F: the row, then the warning limit.
    const varbinds = statusChangeVarbinds({
      change: { quantity: 'temperature', from: 'ok', to: 'warning', value: fahrenheit(78), limit: { side: 'high', limit: fahrenheit(77) }, timestamp: t0 },
      snapshot: snapshot(fahrenheit(78)),
      units: { temperature: 'fahrenheit' },
      thresholds,
      sysUpTime: 0,
    });
    const names = await runWithMib(
      'snmptranslate',
      varbinds.map((varbind) => `.${formatOid(varbind.oid)}`),
    );
    expect(names.stderr).toBe('');
    expect(lines(names.stdout)).toEqual([
      'SNMPv2-MIB::sysUpTime.0',
      'SNMPv2-MIB::snmpTrapOID.0',
      ...(objects ?? []).map((name) => `ENVIROWATCH-MIB::${name}.1`),
      'ENVIROWATCH-MIB::sensorWarningLimit.1',
    ]);
    expect(objects).toEqual(['sensorIndex', 'sensorType', 'sensorValue', 'sensorValueHundredths', 'sensorStatus']);
  });
});
