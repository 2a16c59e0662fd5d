/**
 * docs/managers/zabbix/envirowatch_template.yaml in a real Zabbix 6.0 (Debian's server with
 * PostgreSQL and its frontend's API, test/helpers/zabbix-server.ts): imported through the API,
 * linked to a host whose SNMP interface is the agent, the discovery finds the rows, items get the
 * agent's values, and the sensorStatus triggers fire and recover as the scripted room
 * (src/agent/simulation/scenario.ts) warms past the limits and cools down again.
 *
 * Opt-in (`npm run test:managers`; `.ci/run` with ENVIROWATCH_MANAGERS_TEST=1 installs the Debian packages first). It needs root and about a minute:
 *   ENVIROWATCH_ZABBIX_TEST=1 npx vitest run test/managers/zabbix.test.ts
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { runTool, requireNetSnmpTools, startSnmpAgent, type RunningSnmpAgent } from '../helpers/snmp-tools.js';
import { startZabbix, type RunningZabbix } from '../helpers/zabbix-server.js';

const TEMPLATE = fileURLToPath(new URL('../../docs/managers/zabbix/envirowatch_template.yaml', import.meta.url));
const ENTRY = '1.3.6.1.4.1.21600.1.5.1.1.1';
const TEMPERATURE_ROW = 1;

interface Item {
  readonly itemid: string;
  readonly key_: string;
  readonly name: string;
  readonly units: string;
  readonly lastvalue: string;
  readonly lastclock: string;
}
interface Trigger {
  readonly triggerid: string;
  readonly description: string;
  readonly value: string;
  readonly priority: string;
}

describe.runIf(process.env.ENVIROWATCH_ZABBIX_TEST === '1')('Zabbix 6.0 (docs/managers/zabbix/envirowatch_template.yaml), for real', () => {
  let zabbix: RunningZabbix;
  let fixture: AgentFixture;
  let agent: RunningSnmpAgent;
  let hostid: string;

  beforeAll(async () => {
    requireNetSnmpTools();
    fixture = await agentFixture('', { followScenario: true });
    await fixture.poll();
    agent = await startSnmpAgent({ snapshot: () => fixture.agent.snapshot(), clock: fixture.clock });
    zabbix = await startZabbix();
  }, 180_000);

  afterAll(async () => {
    await zabbix?.stop();
    await agent?.stop();
  });

  const call = <T>(method: string, params: unknown) => zabbix.api.call<T>(method, params);
  async function until<T>(what: string | (() => string), probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${typeof what === 'string' ? what : what()}; zabbix_server.log ends:\n${(await zabbix.log()).split('\n').slice(-30).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  /** "Execute now" (task type 6) for items or a discovery rule, then wait for their value to change. */
  async function pollNow(items: readonly Item[]): Promise<Item[]> {
    const before = new Map(items.map((item) => [item.itemid, item.lastclock]));
    // lastclock counts whole seconds: let one pass, so that the new value's clock differs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await call(
      'task.create',
      items.map((item) => ({ type: 6, request: { itemid: item.itemid } })),
    );
    return until(`new values of ${items.map((item) => item.key_).join(', ')}`, async () => {
      const now = await call<Item[]>('item.get', { itemids: [...before.keys()], output: ['itemid', 'key_', 'name', 'units', 'lastvalue', 'lastclock'] });
      return now.every((item) => item.lastclock !== '0' && item.lastclock !== before.get(item.itemid)) ? now : undefined;
    });
  }
  const agentStatus = async () =>
    Number((await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', agent.target, `${ENTRY}.6.${TEMPERATURE_ROW}`])).stdout.trim());
  /** Plays the scripted room forward, one 2 s poll at a time, until the agent's temperature status is `status`. */
  async function roomUntilTemperatureStatus(status: number): Promise<void> {
    for (let polls = 0; (await agentStatus()) !== status; polls++) {
      if (polls > 60) throw new Error(`the scripted room never gave temperature status ${status}`);
      await fixture.poll();
    }
  }
  /**
   * Temperature triggers in problem, as Zabbix shows them: skipDependent leaves out a problem whose
   * trigger depends on another one in problem (Zabbix does not update a dependent trigger then).
   */
  const firing = async () =>
    (
      await call<Trigger[]>('trigger.get', {
        hostids: [hostid],
        search: { description: 'Temperature' },
        filter: { value: 1 },
        skipDependent: true,
        output: ['triggerid', 'description', 'value', 'priority'],
      })
    )
      .map((trigger) => trigger.description)
      .sort();

  it('imports the template through the API', async () => {
    const source = await readFile(TEMPLATE, 'utf8');
    const rules = {
      groups: { createMissing: true },
      templates: { createMissing: true, updateExisting: true },
      items: { createMissing: true },
      discoveryRules: { createMissing: true },
      triggers: { createMissing: true },
      valueMaps: { createMissing: true },
    };
    expect(await call<boolean>('configuration.import', { format: 'yaml', source, rules })).toBe(true);
    const [template] = await call<{ templateid: string }[]>('template.get', { filter: { host: 'Envirowatch SNMP' }, output: ['templateid'] });
    expect(template).toBeDefined();
    const { groupids } = await call<{ groupids: string[] }>('hostgroup.create', { name: 'envirowatch sensors' });
    const created = await call<{ hostids: string[] }>('host.create', {
      host: 'sensor-rack3',
      groups: [{ groupid: groupids[0] }],
      templates: [{ templateid: template!.templateid }],
      interfaces: [{ type: 2, main: 1, useip: 1, ip: '127.0.0.1', dns: '', port: String(agent.port), details: { version: 2, bulk: 1, community: 'public' } }],
    });
    hostid = created.hostids[0]!;
  });

  it('discovers the five rows and reads value (with the unit), status and age from the agent', async () => {
    const [rule] = await call<Item[]>('discoveryrule.get', { hostids: [hostid], output: ['itemid', 'key_', 'name', 'units', 'lastvalue', 'lastclock'] });
    // The server picks the new host up at its next configuration sync (every second here).
    await until('the discovery rule to run', async () => {
      await call('task.create', [{ type: 6, request: { itemid: rule!.itemid } }]);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const items = await call<Item[]>('item.get', { hostids: [hostid], output: ['itemid'] });
      return items.length === 15 ? true : undefined;
    });
    const items = await call<Item[]>('item.get', { hostids: [hostid], output: ['itemid', 'key_', 'name', 'units', 'lastvalue', 'lastclock'] });
    expect(items.map((item) => item.name).sort()).toEqual(
      ['Temperature', 'Humidity', 'Light', 'Pressure', 'Proximity']
        .flatMap((type) => [`${type}: value`, `${type}: status`, `${type}: age of the reading`])
        .sort(),
    );
    const polled = await pollNow(items);
    const byKey = new Map(polled.map((item) => [item.key_, item]));
    const hundredths = Number((await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', agent.target, `${ENTRY}.4.${TEMPERATURE_ROW}`])).stdout.trim());
    process.stdout.write(`zabbix: ${polled.map((item) => `${item.name}=${item.lastvalue}${item.units ? ` ${item.units}` : ''}`).join(', ')}\n`);
    expect(byKey.get('envirowatch.sensor.value[1]')).toMatchObject({ units: 'degF' });
    expect(Number(byKey.get('envirowatch.sensor.value[1]')!.lastvalue)).toBeCloseTo(hundredths / 100, 2);
    expect(byKey.get('envirowatch.sensor.value[2]')).toMatchObject({ units: '%RH' });
    expect(byKey.get('envirowatch.sensor.status[1]')).toMatchObject({ lastvalue: '1' });
    expect(Number(byKey.get('envirowatch.sensor.age[1]')!.lastvalue)).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('fires the warning trigger, then the critical one, and both recover, as the room warms and cools', async () => {
    const statusItem = (
      await call<Item[]>('item.get', {
        hostids: [hostid],
        filter: { key_: `envirowatch.sensor.status[${TEMPERATURE_ROW}]` },
        output: ['itemid', 'key_', 'name', 'units', 'lastvalue', 'lastclock'],
      })
    )[0]!;
    expect(await firing()).toEqual([]);
    const seen: string[][] = [];
    for (const [status, expected] of [
      [2, ['Temperature is beyond its warning limit']],
      [3, ['Temperature is beyond its critical limit']],
      [1, []],
    ] as const) {
      await roomUntilTemperatureStatus(status);
      const [polled] = await pollNow([
        (await call<Item[]>('item.get', { itemids: [statusItem.itemid], output: ['itemid', 'key_', 'name', 'units', 'lastvalue', 'lastclock'] }))[0]!,
      ]);
      expect(polled!.lastvalue).toBe(String(status));
      let last: string[] = [];
      seen.push(
        await until(
          () => `the triggers for status ${status} (firing: ${JSON.stringify(last)})`,
          async () => {
            const now = (last = await firing());
            return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
          },
        ),
      );
    }
    process.stdout.write(`zabbix: Temperature triggers firing at status 2, 3, 1: ${JSON.stringify(seen)}\n`);
  }, 180_000);
});
