/**
 * `envirowatch demo` (what `npm start` runs): the agent on emulated sensors and the analyzer,
 * each in its own process as they run in production, the agent forwarding its syslog to the
 * analyzer over loopback. Their output is shown with a prefix; once both are up, where everything
 * is gets printed. Enter on its own line stops the agent, or starts it again (to watch the
 * silent-sensor problem open and resolve); Ctrl-C stops both and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadConfigFile } from '../common/config-file.js';
import { analyzerConfigSchema } from '../analyzer/config.js';
import { agentConfigSchema } from '../agent/config/schema.js';

export interface DemoOptions {
  readonly agentConfig: string;
  readonly analyzerConfig: string;
  readonly displaySnapshot: string;
}

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves when its log says it is up; rejects if it exits first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Runs `envirowatch ARGS` (this same bundle and node flags), prefixing its output with NAME. */
function run(name: string, args: readonly string[], readyMark: string): Child {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        process.stdout.write(`${name.padEnd(8)} | ${line}\n`);
        if (line.includes(readyMark)) resolve();
      });
    }
    void exited.then((code) => reject(new Error(`the ${name} exited with ${code} before it started`)));
  });
  ready.catch(() => {}); // reported by whoever awaits it
  return { name, process: child, ready, exited };
}

async function stop(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  await child.exited;
}

export async function runDemoCommand(options: DemoOptions): Promise<number> {
  // Both configs are read here too, to print where things are (and to fail early on a mistake).
  const analyzer = await loadConfigFile(analyzerConfigSchema, options.analyzerConfig);
  const agent = await loadConfigFile(agentConfigSchema, options.agentConfig);
  const agentArgs = ['agent', '--simulate', '--config', options.agentConfig, '--print-readings', '--display-snapshot', options.displaySnapshot];
  const children: { analyzer?: Child; agent?: Child } = {};
  let stopping = false;
  const interrupted = new Promise<void>((resolve) => {
    const onSignal = () => {
      stopping = true;
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    children.analyzer = run('analyzer', ['analyzer', '--config', options.analyzerConfig], 'analyzer started');
    await children.analyzer.ready;
    children.agent = run('agent', agentArgs, 'agent started');
    await children.agent.ready;
  } catch (error) {
    process.stderr.write(`envirowatch demo: ${(error as Error).message}\n`);
    await Promise.all([stop(children.agent), stop(children.analyzer)]);
    return 1;
  }
  const snmp = agent.snmp;
  const web = analyzer.web;
  const syslogPort = analyzer.listen.tcp.port;
  process.stdout.write(
    [
      '',
      'envirowatch demo is running: the agent on emulated sensors, and the analyzer.',
      `  SNMP         snmpwalk -v2c -c public ${snmp.addresses[0]}:${snmp.port} 1.3.6.1.4.1.21600.1.5.1.1.1`,
      // The SNMPv2 base modules from net-snmp's copy (npm ci installed it): Debian's snmp package has none.
      `               snmptable -v2c -c public -M +./mibs:./node_modules/net-snmp/lib/mibs -m SNMPv2-MIB:ENVIROWATCH-MIB ${snmp.addresses[0]}:${snmp.port} ENVIROWATCH-MIB::sensorTable`,
      `  Display      ${options.displaySnapshot} (the emulated LCD; orange and red as the room warms)`,
      `  Web page     http://${web.address}:${web.port}/`,
      `  Syslog in    ${analyzer.listen.udp.address}:${analyzer.listen.udp.port} UDP and ${analyzer.listen.tcp.address}:${syslogPort} TCP; try`,
      `               logger -n 127.0.0.1 -P ${syslogPort} -t openvpn "openvpn server 'ovpns1' user 'alice' address '203.0.113.5:1194' - connected"`,
      // npx: from a clone the command is not on the PATH (npm link puts it there).
      `  Alerts       npx envirowatch alerts list --config ${options.analyzerConfig}`,
      '  Press Enter to stop the agent (the analyzer notices the silent sensor), Enter again to restart it; Ctrl-C to quit.',
      '',
    ].join('\n'),
  );
  // Enter toggles the agent (only when there is a terminal or a pipe to read). What Enter last
  // asked for decides, not whether the process is still there: a stopped agent says "agent
  // stopped" before it exits, and an Enter in between must start it again, not stop it twice.
  let agentWanted = true;
  const input = createInterface({ input: process.stdin });
  input.on('line', () => {
    if (stopping) return;
    const current = children.agent;
    const running = current !== undefined && current.process.exitCode === null && current.process.signalCode === null;
    if (agentWanted && running) {
      agentWanted = false;
      process.stdout.write('demo     | stopping the agent: the analyzer opens a problem when its window closes with too few messages\n');
      void stop(current);
      return;
    }
    agentWanted = true;
    process.stdout.write('demo     | starting the agent again\n');
    // Once the one stopped has gone, so the two never hold the SNMP port at once.
    void (current?.exited ?? Promise.resolve()).then(() => {
      if (!stopping && agentWanted && children.agent === current) children.agent = run('agent', agentArgs, 'agent started');
    });
  });
  const analyzerDied = children.analyzer.exited.then((code) => {
    if (!stopping) process.stderr.write(`envirowatch demo: the analyzer exited (${code}); stopping\n`);
  });
  await Promise.race([interrupted, analyzerDied]);
  stopping = true;
  input.close();
  await Promise.all([stop(children.agent), stop(children.analyzer)]);
  return 0;
}
