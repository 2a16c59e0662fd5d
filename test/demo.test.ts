/**
 * `envirowatch demo`, what `npm start` runs, with the demo's own configs moved to free ports: it
 * starts the agent and the analyzer, prints where everything is, each part answers there, Enter
 * stops and restarts the agent (also two Enters at once), and SIGINT (Ctrl-C) stops both cleanly
 * with exit code 0, each saying "stopping" once.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, waitFor } from './helpers/analyzer-process.js';
import { freeTcpPort, freeUdpPort } from './helpers/ports.js';
import { runTool } from './helpers/snmp-tools.js';

const config = (name: string) => readFileSync(new URL(`../config/${name}`, import.meta.url), 'utf8');

describe('envirowatch demo (npm start)', () => {
  it('starts agent and analyzer, says where they are, toggles the agent on Enter, stops cleanly on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-demo-'));
    const [snmp, syslog, web] = [await freeUdpPort(), await freeTcpPort(), await freeTcpPort()];
    const agentConfig = join(dir, 'demo.yaml');
    const analyzerConfig = join(dir, 'demo-analyzer.yaml');
    // The shipped demo configs, only the ports and the data dir changed.
    await writeFile(agentConfig, config('demo.yaml').replace('port: 1161', `port: ${snmp}`).replace('port: 5514', `port: ${syslog}`));
    await writeFile(
      analyzerConfig,
      `${config('demo-analyzer.yaml').replace('dataDir: .demo-data', `dataDir: ${join(dir, 'data')}`)}listen: { udp: { port: ${syslog} }, tcp: { port: ${syslog} } }\nweb: { port: ${web} }\n`,
    );
    const png = join(dir, 'display.png');
    const demo = spawn(CLI, ['demo', '--agent-config', agentConfig, '--analyzer-config', analyzerConfig, '--display-snapshot', png], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    }); // its own process group, as under a terminal
    let out = '';
    demo.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => (out.includes('envirowatch demo is running') ? true : undefined), 'the banner', 20_000);
      expect(out).toContain(`snmpwalk -v2c -c public 127.0.0.1:${snmp} 1.3.6.1.4.1.21600.1.5.1.1.1`);
      expect(out).toContain(`http://127.0.0.1:${web}/`);
      expect(out).toContain(png);
      expect(out).toContain(`logger -n 127.0.0.1 -P ${syslog} -t openvpn`);
      expect(out).toContain(`npx envirowatch alerts list --config ${analyzerConfig}`); // works from a clone, unlike a bare envirowatch
      // What the banner promises answers.
      const walk = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-On', `127.0.0.1:${snmp}`, '1.3.6.1.4.1.21600.1.5.1.1.1.2']);
      expect(walk.stdout).toContain('STRING: "Temperature"');
      expect((await fetch(`http://127.0.0.1:${web}/sensors`)).status).toBe(200);
      await waitFor(async () => (out.includes('msg="display started"') ? true : undefined), 'the display');
      // Enter stops the agent, Enter again starts it.
      demo.stdin!.write('\n');
      await waitFor(async () => (out.includes('msg="agent stopped"') ? true : undefined), 'the agent to stop');
      demo.stdin!.write('\n');
      await waitFor(async () => (out.split('msg="agent started"').length === 3 ? true : undefined), 'the agent to start again');
      // Enter twice at once: the second comes while the agent is still exiting, and must restart
      // it once it has gone (it used to stop it a second time, and the agent stayed down).
      demo.stdin!.write('\n\n');
      await waitFor(async () => (out.split('msg="agent started"').length === 4 ? true : undefined), 'the agent to start after a quick stop and start');
      // Ctrl-C in a terminal signals the whole process group: the children get SIGINT, then the demo's SIGTERM.
      const before = out.split('msg="stopping"').length;
      process.kill(-demo.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      expect(out.split('msg="stopping"').length - before).toBe(2); // once each, agent and analyzer
      expect(out).toMatch(/analyzer \| .*msg="analyzer stopped"/);
      expect(out.split('msg="agent stopped"').length).toBe(4);
      // Nothing is left listening.
      await expect(fetch(`http://127.0.0.1:${web}/`)).rejects.toThrow();
    } finally {
      demo.kill('SIGKILL');
    }
  }, 60_000);
});
