/**
 * Each sensor's envirowatch version, from the `[agent@21600 version=…]` element of its heartbeats
 * (src/common/sensor-messages.ts), kept per host in the analyzer's store for the Sensors page.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/analyzer/store/database.js';
import { newestSensorVersion, purgeSensorData, SensorData, sensorVersions } from '../../../src/analyzer/store/sensor-data.js';
import { parseSyslog } from '../../../src/common/syslog/parse.js';

const heartbeat = (host: string, time: string, version?: string) =>
  parseSyslog(
    `<134>1 ${time} ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="21.5" temperatureStatus="ok"]${version ? `[agent@21600 version="${version}"]` : ''} Temperature 21.5 °C ok`,
    { receivedAt: Date.parse(time), source: '192.0.2.7:514' },
  );

describe('sensor versions', () => {
  it("keeps each host's version from its latest heartbeat; a delayed older heartbeat does not undo an upgrade; purged with the readings", async () => {
    const db = openDatabase(await mkdtemp(join(tmpdir(), 'envirowatch-versions-')));
    const data = new SensorData(db);
    data.observe(heartbeat('sensor-a', '2026-12-04T06:00:00Z', '0.1.0'));
    data.observe(heartbeat('sensor-b', '2026-12-04T06:00:00Z', '0.1.0'));
    data.observe(heartbeat('sensor-c', '2026-12-04T06:00:00Z')); // an agent older than the version in heartbeats
    data.flush();
    data.observe(heartbeat('sensor-a', '2026-12-04T07:00:00Z', '0.2.0')); // upgraded
    data.flush();
    data.observe(heartbeat('sensor-a', '2026-12-04T06:30:00Z', '0.1.0')); // sent before the upgrade, arrived late
    data.flush();
    const hosts = ['sensor-a', 'sensor-b', 'sensor-c'];
    expect(Object.fromEntries(sensorVersions(db, hosts))).toEqual({ 'sensor-a': '0.2.0', 'sensor-b': '0.1.0' });
    expect(newestSensorVersion(db)).toBe('0.2.0');
    expect(purgeSensorData(db, Date.parse('2026-12-04T06:30:00Z'))).toBeGreaterThan(0);
    expect(Object.fromEntries(sensorVersions(db, hosts))).toEqual({ 'sensor-a': '0.2.0' });
    db.close();
  });

  it('the newest version any sensor runs is compared as a version (0.10.0 after 0.9.1), not as text', async () => {
    const db = openDatabase(await mkdtemp(join(tmpdir(), 'envirowatch-versions-')));
    const data = new SensorData(db);
    expect(newestSensorVersion(db)).toBeUndefined();
    ['0.9.1', '0.10.0', '0.10.0-rc.1', '0.2.0'].forEach((version, i) => data.observe(heartbeat(`sensor-${i}`, '2026-12-04T06:00:00Z', version)));
    data.flush();
    expect(newestSensorVersion(db)).toBe('0.10.0');
    db.close();
  });
});
