/**
 * docs/managers/librenms/: the OS definition and the sensor discovery YAML. LibreNMS is not in
 * Debian, so no LibreNMS runs here. Checked instead:
 * - the files against LibreNMS's own JSON schemas (misc/os_schema.json and misc/discovery_schema.json,
 *   copied into test/fixtures/librenms/), with Ajv;
 * - that the detection matches the agent's sysObjectID.0, and that every MIB name resolves, in
 *   mibs/ENVIROWATCH-MIB.txt, to the numeric OID its num_oid names;
 * - the discovery evaluated the way LibreNMS's YAML discovery documents it (walk the table with
 *   -OQUs, skip_values OR-ed per row, value / divisor, OID limits / divisor, user_func) against
 *   the agent in °F and in °C: one sensor per quantity, in LibreNMS's units, with the limits.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseConfigText } from '../../src/common/config-file.js';
import { agentConfigSchema } from '../../src/agent/config/schema.js';
import { resolveAgentConfig } from '../../src/agent/config/resolve.js';
import { agentFixture } from '../helpers/agent-fixture.js';
import { requireTool, runWithMib } from '../helpers/mib-tools.js';
import { requireNetSnmpTools, runTool, startSnmpAgent, type RunningSnmpAgent } from '../helpers/snmp-tools.js';

const doc = (path: string) => fileURLToPath(new URL(`../../docs/managers/librenms/${path}`, import.meta.url));
const readYaml = async (path: string): Promise<unknown> => parseYaml(await readFile(doc(path), 'utf8'));

// --- LibreNMS's own JSON schemas (test/fixtures/librenms/, see its README) ---------------------
const librenmsSchema = async (name: string): Promise<object> => {
  const { $schema: _draft, ...schema } = JSON.parse(await readFile(fileURLToPath(new URL(`../fixtures/librenms/${name}`, import.meta.url)), 'utf8')) as Record<
    string,
    unknown
  >;
  return schema;
};
/** Ajv (draft-07, LibreNMS's validator reads the same keywords); strict off because the schemas use `items` with `type: [string, array]`. */
async function librenmsValidators() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(await librenmsSchema('os_schema.json'), 'os');
  ajv.addSchema(await librenmsSchema('discovery_schema.json'), 'discovery');
  return {
    os: ajv.getSchema('os')!,
    discovery: ajv.getSchema('discovery')!,
    // `count` is documented by LibreNMS but not listed in discovery_schema.json, whose sensors object
    // lets unknown classes through unchecked; its entries are checked against the generic sensor definition.
    sensor: ajv.getSchema('discovery#/definitions/sensor')!,
  };
}
const errorsOf = (validate: ValidateFunction, data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

interface SensorEntry {
  readonly oid: string;
  readonly value?: string;
  readonly num_oid: string;
  readonly index?: string | number;
  readonly descr: string;
  readonly divisor?: number;
  readonly multiplier?: number;
  readonly low_limit?: number | string;
  readonly low_warn_limit?: number | string;
  readonly warn_limit?: number | string;
  readonly high_limit?: number | string;
  readonly skip_values?: readonly { oid: string; op: string; value: string | number | boolean }[];
  readonly user_func?: string;
  readonly states?: readonly { value: number; descr: string }[];
}
/** The files' shape after they passed LibreNMS's schemas (the tests below validate before they read). */
interface Discovery {
  readonly modules: { readonly sensors: Record<string, { readonly data: readonly SensorEntry[] } | undefined> };
}
interface OsDefinition {
  readonly discovery: readonly { readonly sysObjectID: string | readonly string[] }[];
}

// --- LibreNMS's YAML discovery, as documented (doc/Developing/os/Health-Information.md) ---------
/** The table as LibreNMS walks it (`-OQUs`, the MIB loaded, display hints off with -Ih): column → index → value. */
async function walkTable(target: string, table: string): Promise<Map<string, Map<string, string>>> {
  const result = await runWithMib('snmpbulkwalk', ['-v2c', '-c', 'public', '-OQUs', '-Ih', target, table]);
  expect(result.stderr).toBe('');
  const columns = new Map<string, Map<string, string>>();
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    const [name, value] = line.split(' = ') as [string, string];
    const [column, index] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
    columns.set(column, (columns.get(column) ?? new Map()).set(index, value.replace(/^"|"$/g, '')));
  }
  return columns;
}

const column = (name: string) => name.replace(/^.*::/, '');
/** PHP's loose comparison, as LibreNMS compares: numerically when both sides are numbers. */
const same = (a: string, b: string | number | boolean) =>
  Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) === Number(b) : a === String(b);
const USER_FUNCS: Record<string, (value: number) => number> = { fahrenheit_to_celsius: (f) => ((f - 32) * 5) / 9 };

interface DiscoveredSensor {
  readonly class: string;
  readonly descr: string;
  readonly index: string;
  readonly numOid: string;
  readonly value: number;
  readonly limits: Partial<Record<'low_limit' | 'low_warn_limit' | 'warn_limit' | 'high_limit', number>>;
}

function discover(discovery: Discovery, columns: Map<string, Map<string, string>>): DiscoveredSensor[] {
  const found: DiscoveredSensor[] = [];
  for (const [sensorClass, body] of Object.entries(discovery.modules.sensors)) {
    for (const entry of (body?.data ?? []) as SensorEntry[]) {
      const values = columns.get(column(entry.value ?? entry.oid))!;
      expect(values, `${sensorClass}: ${entry.value}`).toBeDefined();
      for (const [index, raw] of values) {
        const skipped = (entry.skip_values ?? []).some(({ oid, op, value }) => {
          const cell = columns.get(column(oid))?.get(index) ?? '';
          if (op === '!=') return !same(cell, value as string);
          if (op === '=') return same(cell, value as string);
          throw new Error(`op ${op} not emulated here`);
        });
        if (skipped) continue;
        const divisor = entry.divisor ?? 1;
        const convert = (n: number) => {
          const scaled = (n / divisor) * (entry.multiplier ?? 1);
          return entry.user_func ? USER_FUNCS[entry.user_func]!(scaled) : scaled;
        };
        const limits: DiscoveredSensor['limits'] = {};
        for (const name of ['low_limit', 'low_warn_limit', 'warn_limit', 'high_limit'] as const) {
          const given = entry[name];
          // An OID name is read at the row's index and divided like the value (user_func: see the README).
          if (typeof given === 'string') limits[name] = Number(columns.get(column(given))!.get(index)) / divisor;
          else if (given !== undefined) limits[name] = given;
        }
        const descr = entry.descr.replace(/\{\{ \$(\w+) \}\}/g, (_, name: string) => columns.get(name)!.get(index)!);
        // A state walked as its enum label is matched to a state's descr.
        const number = Number.isFinite(Number(raw)) ? Number(raw) : entry.states?.find((state) => state.descr === raw)?.value;
        expect(number, `${sensorClass} ${index}: ${raw}`).toBeDefined();
        found.push({
          class: sensorClass,
          descr,
          index: (entry.index ?? index).toString().replace('{{ $index }}', index),
          numOid: entry.num_oid.replace('{{ $index }}', index),
          value: convert(number!),
          limits,
        });
      }
    }
  }
  return found;
}

// --- tests --------------------------------------------------------------------------------------
beforeAll(() => {
  requireNetSnmpTools();
  requireTool('snmptranslate', 'snmp');
});

let agent: RunningSnmpAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function startAgent(yaml: string): Promise<RunningSnmpAgent> {
  const resolved = resolveAgentConfig(parseConfigText(agentConfigSchema, yaml));
  const fixture = await agentFixture(yaml);
  const snapshot = await fixture.poll();
  agent = await startSnmpAgent({ snapshot: () => snapshot, units: resolved.units, thresholds: resolved.thresholds, clock: fixture.clock });
  return agent;
}

describe('LibreNMS (docs/managers/librenms)', () => {
  it("follow LibreNMS's os_schema.json and discovery_schema.json", async () => {
    const validate = await librenmsValidators();
    const os = await readYaml('os_detection/envirowatch.yaml');
    const discovery = (await readYaml('os_discovery/envirowatch.yaml')) as Discovery;
    expect(errorsOf(validate.os, os)).toEqual([]);
    expect(errorsOf(validate.discovery, discovery)).toEqual([]);
    expect(discovery.modules.sensors.count).toBeDefined();
    expect(errorsOf(validate.sensor, discovery.modules.sensors.count)).toEqual([]);
  });

  it("LibreNMS's schemas refuse what LibreNMS refuses (so the check above can fail)", async () => {
    const validate = await librenmsValidators();
    const discovery = (await readYaml('os_discovery/envirowatch.yaml')) as { modules: { sensors: Record<string, { data: Record<string, unknown>[] }> } };
    const os = (await readYaml('os_detection/envirowatch.yaml')) as Record<string, unknown>;
    const broken = structuredClone(discovery);
    delete broken.modules.sensors.temperature!.data[0]!.descr;
    broken.modules.sensors.humidity!.data[0]!.num_oid = '.1.3.6.1.4.1.21600.1.5.1.1.1.4.2';
    broken.modules.sensors.count!.data[0]!.divisor = 'hundred';
    expect(errorsOf(validate.discovery, broken)).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'descr'"), expect.stringContaining('must match pattern')]),
    );
    expect(errorsOf(validate.sensor, broken.modules.sensors.count)).toEqual([expect.stringContaining('/data/0/divisor must be integer')]);
    expect(errorsOf(validate.os, { ...os, discovery: [{ sysObjectID: '1.3.6.1.4.1.21600' }] })).not.toEqual([]);
    expect(errorsOf(validate.os, { ...os, colour: 'green' })).toEqual([' must NOT have additional properties']);
  });

  it("the detection OID is the agent's sysObjectID.0, and every MIB name resolves to the OID its num_oid names", async () => {
    const os = (await readYaml('os_detection/envirowatch.yaml')) as OsDefinition;
    const discovery = (await readYaml('os_discovery/envirowatch.yaml')) as Discovery;
    const running = await startAgent('');
    const sysObjectId = (await runTool('snmpget', ['-v2c', '-c', 'public', '-On', '-Oqv', running.target, '1.3.6.1.2.1.1.2.0'])).stdout.trim();
    // LibreNMS matches sysObjectID by prefix.
    expect(os.discovery.flatMap((rule) => rule.sysObjectID).some((prefix) => sysObjectId.startsWith(prefix))).toBe(true);
    const translate = async (name: string) => (await runWithMib('snmptranslate', ['-On', name])).stdout.trim();
    for (const body of Object.values(discovery.modules.sensors)) {
      for (const entry of (body?.data ?? []) as SensorEntry[]) {
        expect(`${await translate(entry.value!)}.{{ $index }}`).toBe(entry.num_oid);
        for (const name of [
          entry.oid,
          ...(entry.skip_values ?? []).map((skip) => skip.oid),
          ...[entry.low_limit, entry.low_warn_limit, entry.warn_limit, entry.high_limit].filter((l): l is string => typeof l === 'string'),
        ]) {
          expect(await translate(name), name).toMatch(/^\.1\.3\.6\.1\.4\.1\.21600\.1\.5\./);
        }
      }
    }
  });

  for (const units of ['fahrenheit', 'celsius'] as const) {
    it(`discovers one sensor per quantity in LibreNMS's units from an agent in ${units}, with the agent's limits where the file maps them`, async () => {
      const discovery = (await readYaml('os_discovery/envirowatch.yaml')) as Discovery;
      const running = await startAgent(`units:\n  temperature: ${units}\n`);
      const sensors = discover(discovery, await walkTable(running.target, 'ENVIROWATCH-MIB::sensorTable'));
      const byClass = (name: string) => sensors.filter((sensor) => sensor.class === name);
      process.stdout.write(`librenms (${units}): ${JSON.stringify(sensors.map((s) => [s.class, s.descr, Math.round(s.value * 100) / 100, s.limits]))}\n`);

      const [temperature] = byClass('temperature');
      expect(byClass('temperature')).toHaveLength(1);
      // The simulated room, in °C whatever the agent's unit (from °F via fahrenheit_to_celsius).
      expect(temperature!.value).toBeGreaterThan(15);
      expect(temperature!.value).toBeLessThan(35);
      expect(temperature!.numOid).toBe('.1.3.6.1.4.1.21600.1.5.1.1.1.4.1');
      // The agent's limits only in °C (see the README for °F): the defaults 25 and 26.5 °C.
      expect(temperature!.limits).toEqual(units === 'celsius' ? { warn_limit: 25, high_limit: 26.5 } : {});

      expect(byClass('humidity')).toEqual([
        expect.objectContaining({ descr: 'Humidity', index: 'sensorValueHundredths.2', limits: { low_warn_limit: 15, low_limit: 10 } }),
      ]);
      expect(byClass('humidity')[0]!.value).toBeGreaterThan(0);
      expect(byClass('humidity')[0]!.value).toBeLessThanOrEqual(100);
      // hPa × 100 → kPa: about 101.3 at sea level.
      expect(byClass('pressure')).toEqual([expect.objectContaining({ descr: 'Pressure', limits: {} })]);
      expect(byClass('pressure')[0]!.value).toBeGreaterThan(95);
      expect(byClass('pressure')[0]!.value).toBeLessThan(106);
      expect(byClass('count')).toEqual([expect.objectContaining({ descr: 'Light (lux)', numOid: '.1.3.6.1.4.1.21600.1.5.1.1.1.4.3' })]);
      expect(byClass('state').map((state) => [state.descr, state.value])).toEqual([
        ['Temperature status', 1],
        ['Humidity status', 1],
        ['Light status', 1],
        ['Pressure status', 1],
        ['Proximity status', 1],
      ]);
    });
  }

  it("reads the same temperature in °C from an agent in °F as from one in °C (to the hundredths' rounding)", async () => {
    const discovery = (await readYaml('os_discovery/envirowatch.yaml')) as Discovery;
    const temperatures: number[] = [];
    for (const units of ['fahrenheit', 'celsius']) {
      const running = await startAgent(`units:\n  temperature: ${units}\n`);
      temperatures.push(discover(discovery, await walkTable(running.target, 'ENVIROWATCH-MIB::sensorTable')).find((s) => s.class === 'temperature')!.value);
      await running.stop();
      agent = undefined;
    }
    expect(Math.abs(temperatures[0]! - temperatures[1]!)).toBeLessThan(0.01);
  });
});
