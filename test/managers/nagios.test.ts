/**
 * docs/managers/nagios/envirowatch.cfg for real: Debian's Nagios 4 accepts it in Debian's own
 * nagios.cfg (`nagios4 -v`), and each service's command line, expanded as Nagios expands it
 * ($USER1$ from Debian's resource.cfg, host macros, $ARGn$), runs Debian's check_snmp against the
 * agent while the scripted room (src/agent/simulation/scenario.ts) plays a whole minute: the
 * exit code follows sensorStatus at every step, and the performance data carries the values.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_PERIOD_S } from '../../src/agent/simulation/scenario.js';
import { agentFixture } from '../helpers/agent-fixture.js';
import { requireNetSnmpTools, runTool, startSnmpAgent, type RunningSnmpAgent } from '../helpers/snmp-tools.js';

const CONFIG = fileURLToPath(new URL('../../docs/managers/nagios/envirowatch.cfg', import.meta.url));
const NAGIOS = '/usr/sbin/nagios4';
const CHECK_SNMP = '/usr/lib/nagios/plugins/check_snmp';
const DEBIAN_NAGIOS_CFG = '/etc/nagios4/nagios.cfg';
const DEBIAN_RESOURCE_CFG = '/etc/nagios4/resource.cfg';
const ENTRY = '1.3.6.1.4.1.21600.1.5.1.1.1';
const POLL_INTERVAL_MS = 2000;

function requireProgram(path: string, packageName: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} not found: install the Debian package \`${packageName}\` (apt-get install ${packageName})`);
  }
}

beforeAll(() => {
  requireNetSnmpTools();
  requireProgram(NAGIOS, 'nagios4-core');
  requireProgram(CHECK_SNMP, 'monitoring-plugins-standard');
});

function run(file: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `define TYPE { key value ... }` blocks; comments (# and ;) dropped. */
function objectsOf(text: string, type: string): Map<string, string>[] {
  const blocks = [...text.replace(/[#;].*$/gm, '').matchAll(new RegExp(`define\\s+${type}\\s*\\{([^}]*)\\}`, 'g'))];
  return blocks.map(
    ([, body]) =>
      new Map(
        body!
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => {
            const [key, ...value] = line.split(/\s+/);
            return [key!, value.join(' ')] as const;
          }),
      ),
  );
}

/** Nagios macro expansion for one service check: $USERn$, the host's macros, $ARGn$ from `command!arg1!arg2`. */
function expand(commandLine: string, macros: Record<string, string>, checkCommand: string): string {
  const [, ...args] = checkCommand.split('!');
  const all: Record<string, string> = { ...macros, ...Object.fromEntries(args.map((arg, i) => [`ARG${i + 1}`, arg])) };
  return commandLine.replace(/\$([A-Z0-9_]+)\$/g, (whole, name: string) => {
    if (!(name in all)) throw new Error(`macro ${whole} has no value`);
    return all[name]!;
  });
}

let workDir: string | undefined;
let agent: RunningSnmpAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  if (workDir) await rm(workDir, { recursive: true, force: true });
  workDir = undefined;
});

describe('Nagios 4 (docs/managers/nagios/envirowatch.cfg)', () => {
  it("passes nagios4 -v in Debian's own nagios.cfg, with a host using the template", async () => {
    workDir = await mkdtemp(join(tmpdir(), 'envirowatch-nagios-'));
    // nagios4 reads its configuration as the nagios user.
    await chmod(workDir, 0o755);
    const hosts = join(workDir, 'hosts.cfg');
    await writeFile(hosts, 'define host {\n    use        envirowatch-sensor\n    host_name  sensor-rack3\n    address    192.0.2.10\n}\n');
    // Debian's configuration as installed, with this file and the host where the sample localhost.cfg was.
    const debian = await readFile(DEBIAN_NAGIOS_CFG, 'utf8');
    expect(debian).toMatch(/^cfg_file=\/etc\/nagios4\/objects\/localhost\.cfg$/m);
    const main = join(workDir, 'nagios.cfg');
    await writeFile(main, debian.replace(/^cfg_file=\/etc\/nagios4\/objects\/localhost\.cfg$/m, `cfg_file=${CONFIG}\ncfg_file=${hosts}`));
    const result = await run(NAGIOS, ['-v', main]);
    expect(result.stdout, result.stdout).toMatch(/Checked 4 services\./);
    expect(result.stdout).toMatch(/Total Warnings: 0\n/);
    expect(result.stdout).toMatch(/Total Errors: +0\n/);
    expect(result.code, result.stdout).toBe(0);
  });

  it('over one minute of the scripted room, every service exits OK / WARNING / CRITICAL as sensorStatus says, with performance data', async () => {
    const text = await readFile(CONFIG, 'utf8');
    const command = objectsOf(text, 'command').find((c) => c.get('command_name') === 'check_envirowatch_sensor')!;
    const services = objectsOf(text, 'service').filter((s) => s.has('check_command'));
    expect(services.map((s) => s.get('service_description'))).toEqual(['Temperature', 'Humidity', 'Light', 'Pressure']);
    const user1 = /^\$USER1\$=(.*)$/m.exec(await readFile(DEBIAN_RESOURCE_CFG, 'utf8'))![1]!;

    const fixture = await agentFixture('', { followScenario: true });
    await fixture.poll();
    agent = await startSnmpAgent({ snapshot: () => fixture.agent.snapshot(), clock: fixture.clock });
    const macros = { USER1: user1, HOSTADDRESS: '127.0.0.1', _HOSTSNMP_PORT: String(agent.port), _HOSTSNMP_COMMUNITY: 'public' };
    /** sensorStatus → the Nagios state the file promises: ok OK(0), warning WARNING(1), critical/error/stale CRITICAL(2). */
    const expectedExit = (status: number) => (status === 1 ? 0 : status === 2 ? 1 : 2);
    const seen = new Map<string, Set<number>>();

    for (let step = 0; step < (SCENARIO_PERIOD_S * 1000) / POLL_INTERVAL_MS; step++) {
      await fixture.poll();
      for (const service of services) {
        const checkCommand = service.get('check_command')!;
        const [, row, label, unit] = checkCommand.split('!') as [string, string, string, string];
        const status = Number((await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', agent.target, `${ENTRY}.6.${row}`])).stdout.trim());
        const value = Number((await runTool('snmpget', ['-v2c', '-c', 'public', '-Oqv', agent.target, `${ENTRY}.3.${row}`])).stdout.trim());
        // As Nagios runs a command line: through the shell.
        const result = await run('/bin/sh', ['-c', expand(command.get('command_line')!, macros, checkCommand)]);
        const what = `step ${step} ${service.get('service_description')}: status ${status}, check_snmp said ${result.stdout.trim()}`;
        expect(result.code, what).toBe(expectedExit(status));
        expect(result.stdout, what).toMatch(
          new RegExp(
            `^SNMP (OK|WARNING|CRITICAL) - ${label} ${value} ${unit}, status \\*?${status}\\*? \\| ${label}=${value};; status=${status};1:1;1:2 $`,
            'm',
          ),
        );
        const states = seen.get(service.get('service_description')!) ?? new Set<number>();
        states.add(result.code);
        seen.set(service.get('service_description')!, states);
      }
    }
    process.stdout.write(
      `nagios: exit codes seen per service over one scripted minute: ${JSON.stringify(Object.fromEntries([...seen].map(([name, codes]) => [name, [...codes].sort()])))}\n`,
    );
    // The room warms past both temperature limits and the BME280 drops off for 6 s (error: CRITICAL).
    expect([...seen.get('Temperature')!].sort()).toEqual([0, 1, 2]);
    expect(seen.get('Humidity')!.has(0)).toBe(true);
    expect([...seen.values()].some((codes) => codes.size > 1)).toBe(true);
  }, 120_000);
});
