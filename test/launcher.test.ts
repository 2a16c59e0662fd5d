/**
 * The `envirowatch` command chooses node's flags per command (src/cli/launcher.ts): the agent runs
 * in the command's own process with the small-heap flags of its first line; the analyzer in a
 * process of its own, started from envirowatch-analyzer.mjs with node's defaults but for the
 * daemon's semi-spaces, which goes when the command goes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS } from '../src/cli/launch.js';
import { analyzerSetup, CLI, startAnalyzer, stopAnalyzer, waitFor } from './helpers/analyzer-process.js';
import { freeUdpPort } from './helpers/ports.js';

const AGENT_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=13', '--single-threaded'];
const DAEMON_FLAGS = ['--max-semi-space-size=8'];

/** A process's command line, NUL-separated in /proc. */
const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
/** Direct children of a process (Linux ≥ 3.5). */
const children = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

describe('envirowatch: node flags per command', () => {
  it("the first line of envirowatch.mjs has the agent flags; envirowatch-analyzer.mjs the daemon's, the launcher's own", () => {
    expect(readFileSync(CLI, 'utf8').split('\n', 1)[0]).toBe(`#!/usr/bin/env -S node ${AGENT_FLAGS.join(' ')}`);
    expect(readFileSync(CLI.replace(/envirowatch\.mjs$/, 'envirowatch-analyzer.mjs'), 'utf8').split('\n', 1)[0]).toBe(
      `#!/usr/bin/env -S node ${DAEMON_FLAGS.join(' ')}`,
    );
    expect(DAEMON_NODE_FLAGS).toEqual(DAEMON_FLAGS);
  });

  it("agent: runs in the command's own process with the agent flags, no second process", async () => {
    const dir = (await analyzerSetup([])).dir;
    const config = join(dir, 'agent.yaml');
    await writeFile(config, `snmp:\n  addresses: [127.0.0.1]\n  port: ${await freeUdpPort()}\n  communities: [{ name: public }]\n`);
    const agent = spawn(CLI, ['agent', '--simulate', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ENVIROWATCH_CONFIG: '' },
    });
    let log = '';
    for (const stream of [agent.stdout, agent.stderr]) stream.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      await waitFor(async () => (log.includes('agent started') ? true : undefined), 'the agent to start');
      expect(commandLine(agent.pid!).slice(1, 1 + AGENT_FLAGS.length)).toEqual(AGENT_FLAGS);
      expect(children(agent.pid!)).toEqual([]);
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      agent.kill('SIGKILL');
    }
  });

  it("analyzer: runs in a child with the daemon's flags; SIGTERM to the command stops it cleanly", async () => {
    const { config } = await analyzerSetup([]);
    const analyzer = await startAnalyzer(config, CLI);
    try {
      const [child] = children(analyzer.child.pid!);
      expect(child).toBeDefined();
      const args = commandLine(child!);
      expect(args.slice(1, 1 + DAEMON_FLAGS.length)).toEqual(DAEMON_FLAGS);
      expect(args[1 + DAEMON_FLAGS.length]).toMatch(/envirowatch-analyzer\.mjs$/);
      expect(args.slice(2 + DAEMON_FLAGS.length)).toEqual(['analyzer', '--config', config]);
      expect(await stopAnalyzer(analyzer)).toBe(0);
      expect(analyzer.log()).toContain('analyzer stopped');
      await waitFor(async () => (existsSync(`/proc/${child}`) ? undefined : true), 'the analyzer process to end');
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  });

  it('analyzer: ends when the command is killed with SIGKILL, leaving no process behind', async () => {
    const { config } = await analyzerSetup([]);
    const analyzer = await startAnalyzer(config, CLI);
    const [child] = children(analyzer.child.pid!);
    expect(child).toBeDefined();
    analyzer.child.kill('SIGKILL');
    await waitFor(async () => (existsSync(`/proc/${child}`) ? undefined : true), 'the analyzer process to end');
  });
});
