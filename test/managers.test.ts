import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  SNMP_EXPORTER,
  parsePrometheusText,
  parseTomlFile,
  requireSnmpExporter,
  runProgram,
  servedOids,
  servesOidOrSubtree,
  startCliAgent,
  startSnmpExporter,
  type RunningAgent,
  type Sample,
} from './helpers/managers-processes.js';
import { requireNetSnmpTools } from './helpers/snmp-tools.js';

/**
 * The ready-made manager configurations in docs/managers/, checked against the real agent
 * (`envirowatch agent --simulate`, built in dist/): the Prometheus snmp_exporter module is run
 * with Debian's prometheus-snmp-exporter and scraped; the Telegraf file (Telegraf is not in Debian
 * bookworm main) and the Zabbix file are parsed, and every OID they name must be one the agent
 * serves, as Net-SNMP's snmpwalk sees it. Zabbix itself runs in test/managers/zabbix.test.ts, on request.
 */

const doc = (path: string) => fileURLToPath(new URL(`../docs/managers/${path}`, import.meta.url));
const SNMP_YML = doc('snmp_exporter/snmp.yml');
const TELEGRAF_CONF = doc('telegraf/envirowatch.conf');
const ZABBIX_TEMPLATE = doc('zabbix/envirowatch_template.yaml');

const ENTRY = '1.3.6.1.4.1.21600.1.5.1.1.1';
const ORIGINAL_ROWS = ['Temperature', 'Humidity', 'Light'] as const;

describe('Prometheus snmp_exporter module (docs/managers/snmp_exporter/snmp.yml)', () => {
  it("is accepted by Debian's prometheus-snmp-exporter (0.21) as it is", async () => {
    requireSnmpExporter();
    const version = await runProgram(SNMP_EXPORTER, ['--version']);
    expect(version.stdout + version.stderr).toMatch(/version 0\.21\./);
    const dryRun = await runProgram(SNMP_EXPORTER, [`--config.file=${SNMP_YML}`, '--dry-run']);
    expect(dryRun.stderr).toContain('Configuration parsed successfully');
    expect(dryRun.code).toBe(0);
  });

  it('scraped through the exporter, gives the readings labelled by sensorType, with status and age', async () => {
    requireSnmpExporter();
    const agent = await startCliAgent();
    try {
      const exporter = await startSnmpExporter(SNMP_YML);
      let samples: Sample[];
      try {
        const response = await fetch(`${exporter.url}/snmp?module=envirowatch&target=${agent.target}`);
        const body = await response.text();
        expect(response.status, body).toBe(200);
        samples = parsePrometheusText(body);
      } finally {
        await exporter.stop();
      }
      const sample = (name: string, type: string) => {
        const found = samples.filter((s) => s.name === name && s.labels.sensorType === type);
        expect(found, `${name}{sensorType="${type}"}`).toHaveLength(1);
        return found[0]!;
      };
      // The scripted room during its first seconds: 23 °C = 73.4 °F, 40 %RH, 320 lux, all ok.
      const temperature = sample('sensorValue', 'Temperature');
      expect(temperature.labels).toEqual({ sensorIndex: '1', sensorType: 'Temperature' });
      expect(temperature.value).toBeGreaterThanOrEqual(60);
      expect(temperature.value).toBeLessThanOrEqual(90);
      expect(sample('sensorValueHundredths', 'Temperature').value / 100).toBeCloseTo(temperature.value, -0.5);
      expect(sample('sensorValue', 'Humidity').labels.sensorIndex).toBe('2');
      expect(sample('sensorValue', 'Humidity').value).toBeGreaterThan(20);
      expect(sample('sensorValue', 'Humidity').value).toBeLessThan(60);
      expect(sample('sensorValue', 'Light').labels.sensorIndex).toBe('3');
      expect(sample('sensorValue', 'Light').value).toBeGreaterThan(100);
      expect(sample('sensorValue', 'Light').value).toBeLessThan(1000);
      for (const type of ORIGINAL_ROWS) {
        expect(sample('sensorStatus', type).value, `${type} status`).toBe(1);
        const age = sample('sensorReadingAge', type).value;
        expect(age).toBeGreaterThanOrEqual(0);
        expect(age).toBeLessThanOrEqual(10);
      }
      expect(sample('sensorUnit', 'Temperature').labels.sensorUnit).toBe('degF');
      expect(sample('sensorUnit', 'Humidity').labels.sensorUnit).toBe('%RH');
      expect(sample('sensorWarningLimit', 'Temperature').value).toBe(7700);
      expect(sample('sensorCriticalLimit', 'Temperature').value).toBe(8000);
      // The two added rows come along, and the walk went without SNMP errors.
      expect(sample('sensorValue', 'Pressure').value).toBeGreaterThan(900);
      expect(samples.find((s) => s.name === 'snmp_scrape_pdus_returned')?.value).toBeGreaterThanOrEqual(45); // 5 rows × 9 columns
    } finally {
      await agent.stop();
    }
  });

  it('over SNMPv3 authPriv (SHA-256, AES) with the module changed as the README says', async () => {
    requireSnmpExporter();
    const shipped = await readFile(SNMP_YML, 'utf8');
    const v2 = '  version: 2\n  max_repetitions: 25\n  retries: 3\n  timeout: 5s\n  auth:\n    community: public\n';
    expect(shipped).toContain(v2);
    const v3 = shipped.replace(
      v2,
      [
        '  version: 3',
        '  max_repetitions: 25',
        '  retries: 3',
        '  timeout: 5s',
        '  auth:',
        '    security_level: authPriv',
        '    username: monitor',
        '    password: auth password one',
        '    auth_protocol: SHA256',
        '    priv_protocol: AES',
        '    priv_password: priv password two',
        '',
      ].join('\n'),
    );
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-managers-'));
    await writeFile(join(dir, 'snmp.yml'), v3);
    // No community at all: only SNMPv3 can get an answer.
    const agent = await startCliAgent({
      communities: '[]',
      extraSnmpYaml:
        '  v3Users:\n    - { name: monitor, authProtocol: SHA-256, authPassword: "auth password one", privProtocol: AES, privPassword: "priv password two" }\n',
    });
    try {
      const exporter = await startSnmpExporter(join(dir, 'snmp.yml'));
      try {
        const body = await (await fetch(`${exporter.url}/snmp?module=envirowatch&target=${agent.target}`)).text();
        const samples = parsePrometheusText(body);
        const types = samples.filter((s) => s.name === 'sensorStatus').map((s) => s.labels.sensorType);
        expect(types).toEqual(expect.arrayContaining([...ORIGINAL_ROWS]));
        const temperature = samples.find((s) => s.name === 'sensorValue' && s.labels.sensorType === 'Temperature')?.value;
        expect(temperature).toBeGreaterThanOrEqual(60);
        expect(temperature).toBeLessThanOrEqual(90);
      } finally {
        await exporter.stop();
      }
    } finally {
      await agent.stop();
    }
  });
});

describe('Telegraf and Zabbix configurations name only OIDs the agent serves', () => {
  let agent: RunningAgent;
  let served: Set<string>;

  beforeAll(async () => {
    requireNetSnmpTools();
    agent = await startCliAgent();
    served = await servedOids(agent.target);
  });

  afterAll(async () => {
    await agent?.stop();
  });

  it('the agent serves the sensor table (sanity check of the walk itself)', () => {
    for (let column = 1; column <= 9; column++) for (let row = 1; row <= 5; row++) expect(served).toContain(`${ENTRY}.${column}.${row}`);
    expect(served).toContain('1.3.6.1.2.1.1.5.0');
    expect(served).not.toContain(`${ENTRY}.10.1`);
  });

  it('Telegraf (docs/managers/telegraf/envirowatch.conf): valid TOML, one field per column, sensorType a tag', async () => {
    interface TomlField {
      name: string;
      oid: string;
      is_tag?: boolean;
      conversion?: string;
    }
    const config = (await parseTomlFile(TELEGRAF_CONF)) as {
      inputs: {
        snmp: {
          agents: string[];
          version: number;
          community: string;
          field?: TomlField[];
          table: { name: string; inherit_tags?: string[]; oid?: string; field: TomlField[] }[];
        }[];
      };
    };
    const snmp = config.inputs.snmp;
    expect(snmp).toHaveLength(1);
    const plugin = snmp[0]!;
    expect(plugin).toMatchObject({ version: 2, community: 'public' });
    expect(plugin.agents[0]).toMatch(/^udp:\/\//);
    expect(plugin.table).toHaveLength(1);
    const table = plugin.table[0]!;
    // No table-level `oid`: that would make Telegraf look the table up in a MIB.
    expect(table.oid).toBeUndefined();
    expect(table.field.map((f) => f.oid)).toEqual(Array.from({ length: 9 }, (_, i) => `.${ENTRY}.${i + 1}`));
    expect(table.field.map((f) => f.name)).toEqual([
      'sensorIndex',
      'sensorType',
      'sensorValue',
      'sensorValueHundredths',
      'sensorUnit',
      'sensorStatus',
      'sensorWarningLimit',
      'sensorCriticalLimit',
      'sensorReadingAge',
    ]);
    expect(table.field.find((f) => f.name === 'sensorType')?.is_tag).toBe(true);
    expect(table.field.find((f) => f.name === 'sensorValueHundredths')?.conversion).toBe('float(2)');
    for (const field of [...(plugin.field ?? []), ...table.field]) {
      expect(field.oid, `${field.name}: numeric OID, so no MIB is needed`).toMatch(/^(\.\d+)+$/);
    }
    // Scalars must be served exactly; table columns must have rows.
    for (const field of plugin.field ?? []) expect(served, field.name).toContain(field.oid.slice(1));
    for (const field of table.field) expect(servesOidOrSubtree(served, field.oid), `${field.name} ${field.oid}`).toBe(true);
    for (const tag of table.inherit_tags ?? []) expect(plugin.field?.map((f) => f.name)).toContain(tag);
  });

  it('Zabbix (docs/managers/zabbix/envirowatch_template.yaml): 6.0 export, LLD on sensorType, value/status prototypes, status triggers', async () => {
    const text = await readFile(ZABBIX_TEMPLATE, 'utf8');
    const exported = parseYaml(text) as { zabbix_export: Record<string, any> };
    const root = exported.zabbix_export;
    expect(root.version).toBe('6.0');
    const template = root.templates[0];
    expect(root.templates).toHaveLength(1);
    expect(template.groups.map((g: { name: string }) => g.name)).toEqual(root.groups.map((g: { name: string }) => g.name));

    // UUIDs: Zabbix 6.0 wants one per entity, 32 hex digits (v4), all different.
    const uuids = [...text.matchAll(/uuid: (\S+)/g)].map((m) => m[1]!);
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(new Set(uuids).size).toBe(uuids.length);

    const rule = template.discovery_rules[0];
    expect(template.discovery_rules).toHaveLength(1);
    expect(rule.type).toBe('SNMP_AGENT');
    const discovery = /^discovery\[(.*)\]$/.exec(rule.snmp_oid)?.[1]?.split(',') ?? [];
    const macros = new Map<string, string>();
    for (let i = 0; i < discovery.length; i += 2) macros.set(discovery[i]!, discovery[i + 1]!);
    expect(macros.get('{#SENSORTYPE}')).toBe(`${ENTRY}.2`);
    for (const [macro, oid] of macros) expect(servesOidOrSubtree(served, oid), `${macro} ${oid}`).toBe(true);

    const prototypes = rule.item_prototypes as {
      key: string;
      snmp_oid: string;
      type: string;
      value_type?: string;
      valuemap?: { name: string };
      preprocessing?: { type: string; parameters: string[] }[];
      trigger_prototypes?: { expression: string; priority: string; name: string }[];
    }[];
    const rows = [...served].filter((oid) => oid.startsWith(`${ENTRY}.1.`)).map((oid) => oid.split('.').at(-1)!);
    expect(rows).toEqual(['1', '2', '3', '4', '5']);
    for (const item of prototypes) {
      expect(item.type).toBe('SNMP_AGENT');
      expect(item.snmp_oid).toMatch(/^[\d.]+\.\{#SNMPINDEX\}$/);
      for (const row of rows) expect(served, `${item.key} row ${row}`).toContain(item.snmp_oid.replace('{#SNMPINDEX}', row));
      expect(item.key).toContain('{#SNMPINDEX}');
    }
    const byColumn = (column: number) => prototypes.find((p) => p.snmp_oid === `${ENTRY}.${column}.{#SNMPINDEX}`);
    const value = byColumn(4);
    expect(value).toMatchObject({ value_type: 'FLOAT', preprocessing: [{ type: 'MULTIPLIER', parameters: ['0.01'] }] });
    const status = byColumn(6)!;
    expect(status.valuemap?.name).toBe('Envirowatch sensor status');
    const valuemap = template.valuemaps.find((m: { name: string }) => m.name === status.valuemap?.name);
    expect(Object.fromEntries(valuemap.mappings.map((m: { value: string; newvalue: string }) => [m.value, m.newvalue]))).toEqual({
      1: 'ok',
      2: 'warning',
      3: 'critical',
      4: 'error',
      5: 'stale',
    });
    // A trigger prototype per bad status, each on this template's status item.
    const triggers = status.trigger_prototypes ?? [];
    const expected = { 2: 'WARNING', 3: 'HIGH', 4: 'AVERAGE', 5: 'AVERAGE' };
    expect(triggers.map((t) => [Number(/\)=(\d)$/.exec(t.expression)?.[1]), t.priority])).toEqual(
      Object.entries(expected).map(([code, p]) => [Number(code), p]),
    );
    for (const trigger of triggers) expect(trigger.expression).toContain(`last(/${template.template}/${status.key})=`);
    // Every OID anywhere in the file is one the agent serves.
    const oids = [...text.matchAll(/(?<![\d.])1\.3\.6\.1(?:\.\d+)+/g)].map((m) => m[0]);
    expect(oids.length).toBeGreaterThan(3);
    for (const oid of oids) expect(servesOidOrSubtree(served, oid), oid).toBe(true);
  });

  it('snmp_exporter module: every walked, metric and lookup OID is one the agent serves', async () => {
    const config = parseYaml(await readFile(SNMP_YML, 'utf8')) as Record<
      string,
      { walk: string[]; get?: string[]; metrics: { name: string; oid: string; lookups?: { oid: string }[] }[] }
    >;
    expect(Object.keys(config)).toEqual(['envirowatch']);
    const module = config.envirowatch!;
    const oids = [...module.walk, ...(module.get ?? []), ...module.metrics.flatMap((m) => [m.oid, ...(m.lookups ?? []).map((l) => l.oid)])];
    for (const oid of oids) expect(servesOidOrSubtree(served, oid), oid).toBe(true);
    expect(module.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['sensorValue', 'sensorValueHundredths', 'sensorStatus', 'sensorReadingAge']));
  });
});
