/**
 * The optional Prometheus endpoint: the exposition text passes `promtool check metrics`, carries
 * the SNMP table's numbers, and a real Prometheus server scrapes it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../../src/agent/agent.js';
import { metricsConfigSchema } from '../../../src/agent/metrics/config.js';
import { createSensorMetrics } from '../../../src/agent/metrics/exposition.js';
import { startMetricsServer, type MetricsServer } from '../../../src/agent/metrics/server.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { sensorRows } from '../../../src/agent/snmp/sensor-table.js';
import { silentLogger } from '../../../src/common/logger.js';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { freeTcpPort, freeUdpPort } from '../../helpers/ports.js';
import { eventually, requirePrometheus, startPrometheus, type RunningPrometheus } from '../../helpers/prometheus.js';

const resolved = resolveAgentConfig(agentConfigSchema.parse({}));
let snapshot: AgentSnapshot;
let now: number;
const table = () => ({ snapshot, units: resolved.units, thresholds: resolved.thresholds, now });

beforeAll(async () => {
  requirePrometheus();
  const fixture = await agentFixture();
  snapshot = await fixture.poll();
  now = fixture.clock.now();
});

describe('exposition', () => {
  it('passes promtool check metrics', async () => {
    const text = await createSensorMetrics(table).render();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}\n${text}`).toBe(0);
  });

  it('has one series per SNMP row with its index, name, unit and the value in hundredths', async () => {
    const text = await createSensorMetrics(table).render();
    const rows = sensorRows(table());
    expect(rows.map((row) => row.type)).toEqual(['Temperature', 'Humidity', 'Light', 'Pressure', 'Proximity']);
    for (const row of rows) {
      expect(text).toContain(`envirowatch_sensor_value{index="${row.index}",name="${row.type}",unit="${row.unit}"} ${row.hundredths / 100}\n`);
      expect(text).toContain(`envirowatch_sensor_status{index="${row.index}",name="${row.type}"} ${row.status}\n`);
    }
    // Defaults: temperature has high limits (°F), humidity low ones; pressure, light and proximity none.
    expect(text).toMatch(/envirowatch_sensor_critical_limit\{index="1",name="Temperature",unit="degF"\} 80\n/);
    expect(text).not.toMatch(/envirowatch_sensor_(warning|critical)_limit\{index="4"/);
  });

  it('has no value series for a quantity never read (its status says stale)', async () => {
    const fixture = await agentFixture();
    const text = await createSensorMetrics(() => ({
      snapshot: fixture.agent.snapshot(),
      units: resolved.units,
      thresholds: resolved.thresholds,
      now,
    })).render();
    expect(text).not.toMatch(/^envirowatch_sensor_value\{/m);
    expect(text).toContain('envirowatch_sensor_status{index="1",name="Temperature"} 5\n');
  });

  it('follows the snapshot at each scrape (a sensor in error: status 4, age growing)', async () => {
    const fixture = await agentFixture();
    await fixture.poll();
    fixture.board.bus.setAbsent(0x76, true);
    const failed = await fixture.poll();
    const lastGood = failed.quantities.find((q) => q.quantity === 'temperature')!.reading!.timestamp;
    const metrics = createSensorMetrics(() => ({ snapshot: failed, units: resolved.units, thresholds: resolved.thresholds, now: lastGood + 7_000 }));
    const text = await metrics.render();
    expect(text).toContain('envirowatch_sensor_status{index="1",name="Temperature"} 4\n');
    expect(text).toMatch(/envirowatch_sensor_reading_age_seconds\{index="1",name="Temperature"\} 7\n/);
  });
});

describe('HTTP endpoint scraped by a real Prometheus', () => {
  let server: MetricsServer;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    server = await startMetricsServer({ address: '127.0.0.1', port: 0 }, createSensorMetrics(table), silentLogger);
    prometheus = await startPrometheus(server.address);
  }, 30_000);
  afterAll(async () => {
    await prometheus?.stop();
    await server?.stop();
  });

  it('Prometheus stores the five readings with their names and units', async () => {
    const series = await eventually(
      async () => {
        const result = await prometheus.query('envirowatch_sensor_value');
        return result.length === 5 ? result : undefined;
      },
      20_000,
      'Prometheus to scrape the five series',
    );
    const byName = Object.fromEntries(series.map((s) => [s.metric['name'], s]));
    for (const row of sensorRows(table())) {
      expect(byName[row.type]!.metric).toMatchObject({ index: String(row.index), unit: row.unit, job: 'envirowatch' });
      expect(Number(byName[row.type]!.value[1])).toBe(row.hundredths / 100);
    }
    const up = await prometheus.query('up{job="envirowatch"}');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
  }, 30_000);

  it('answers other paths 404 and other methods 405', async () => {
    expect((await fetch(`http://${server.address}/`)).status).toBe(404);
    expect((await fetch(`http://${server.address}/metrics`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`http://${server.address}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});

describe('config and start-up errors', () => {
  it('is off by default on 127.0.0.1:9687; bad keys are named', () => {
    expect(metricsConfigSchema.parse({})).toEqual({ enabled: false, address: '127.0.0.1', port: 9687 });
    const bad = metricsConfigSchema.safeParse({ address: 'localhost', port: 0, colour: 'red' });
    expect(bad.error?.issues.map((issue) => issue.path.join('.') || issue.code).sort()).toEqual(['address', 'port', 'unrecognized_keys']);
  });

  it('a port in use is a clear error', async () => {
    const port = await freeTcpPort();
    const first = await startMetricsServer({ address: '127.0.0.1', port }, createSensorMetrics(table), silentLogger);
    try {
      await expect(startMetricsServer({ address: '127.0.0.1', port }, createSensorMetrics(table), silentLogger)).rejects.toThrow(
        `cannot listen for metrics on http 127.0.0.1:${port}: EADDRINUSE`,
      );
    } finally {
      await first.stop();
    }
  });
});

describe('envirowatch agent with metrics.enabled', () => {
  it('serves /metrics beside SNMP, with the simulated readings', async () => {
    const cli = fileURLToPath(new URL('../../../dist/src/cli/envirowatch.mjs', import.meta.url));
    const [httpPort, snmpPort] = [await freeTcpPort(), await freeUdpPort()];
    const config = join(await mkdtemp(join(tmpdir(), 'envirowatch-metrics-')), 'agent.yaml');
    await writeFile(config, `snmp:\n  addresses: [127.0.0.1]\n  port: ${snmpPort}\nmetrics:\n  enabled: true\n  port: ${httpPort}\n`);
    const child = spawn(cli, ['agent', '--simulate', '--config', config], {
      env: { ...process.env, ENVIROWATCH_CONFIG: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const text = await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
          const body = await response.text();
          // Before the first poll there are no value series (tested below); wait for the first reading.
          return body.includes('envirowatch_sensor_value{index="1",name="Temperature",unit="degF"}') ? body : undefined;
        },
        15_000,
        'the agent to serve /metrics',
      );
      // The scripted room starts at 73.4 °F and later rises past 80 °F.
      const temperature = /envirowatch_sensor_value\{index="1",name="Temperature",unit="degF"\} (-?[\d.]+)\n/.exec(text);
      expect(Number(temperature?.[1]), text).toBeGreaterThan(60);
      expect(Number(temperature?.[1]), text).toBeLessThan(90);
      expect(text).toContain('envirowatch_sensor_status{index="2",name="Humidity"} 1\n');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 30_000);
});
