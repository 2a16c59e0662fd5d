/**
 * `envirowatch agent` on a port it may not bind: the built CLI, run as an unprivileged user, must
 * say which address and port failed and why (EACCES, with the way out), and exit non-zero instead
 * of dying silently or running without SNMP. (A port already in use is covered in cli.test.ts,
 * "agent exits non-zero with a clear message when the SNMP port is taken", and the exact message
 * in snmp-agent.test.ts.)
 *
 * The tests run as root here, so the CLI is started through util-linux `setpriv` as nobody with no
 * capabilities; as another user it is started directly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI as users run it (`npm test` builds first).
const CLI = fileURLToPath(new URL('../../../dist/src/cli/envirowatch.mjs', import.meta.url));
const PRIVILEGED_PORT = 161;

function unprivilegedRunner(): { prefix: string[] } | { skip: string } {
  const lowest = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  if (lowest <= PRIVILEGED_PORT) return { skip: `net.ipv4.ip_unprivileged_port_start is ${lowest}: any user may bind port ${PRIVILEGED_PORT} on this kernel` };
  if (process.getuid?.() !== 0) return { prefix: [] };
  const setpriv = spawnSync('setpriv', ['--version'], { stdio: 'pipe' });
  if (setpriv.error || setpriv.status !== 0) return { skip: 'setpriv (util-linux) not found: cannot drop root to test a refused bind' };
  return { prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'] };
}

const runner = unprivilegedRunner();
if ('skip' in runner) console.warn(`SKIPPED test/agent/snmp/bind.test.ts: ${runner.skip}`);

function run(command: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    execFile(file!, args, { env: { ...process.env, ENVIROWATCH_CONFIG: '' }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe.skipIf('skip' in runner)(`envirowatch agent on port ${PRIVILEGED_PORT} without CAP_NET_BIND_SERVICE`, () => {
  const prefix = 'prefix' in runner ? runner.prefix : [];
  let dir: string;
  let config: string;

  beforeAll(async () => {
    accessSync(CLI, constants.R_OK | constants.X_OK); // built? (`npm run build`)
    // The checkout must be readable by that user too, or the test below would fail for another reason.
    const version = await run([...prefix, CLI, '--version']);
    expect(version.code, `the unprivileged user cannot run ${CLI} (directory permissions?):\n${version.stderr}`).toBe(0);
    // mkdtemp makes the directory 0700 (root's): nobody must be able to read the config.
    dir = await mkdtemp(join(tmpdir(), 'envirowatch-bind-'));
    config = join(dir, 'agent.yaml');
    await writeFile(config, `snmp:\n  addresses: [127.0.0.1]\n  port: ${PRIVILEGED_PORT}\n  communities: [{ name: public }]\n`);
    await chmod(dir, 0o755);
    await chmod(config, 0o644);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('names the address, port and EACCES with the way out, and exits 1', async () => {
    const { code, stdout, stderr } = await run([...prefix, CLI, 'agent', '--simulate', '--config', config]);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^level=error ns=envirowatch\.agent msg="cannot start the SNMP agent" error=/)]);
    expect(lines[0]).toContain(`cannot listen for SNMP on udp 127.0.0.1:${PRIVILEGED_PORT}: EACCES`);
    expect(lines[0]).toMatch(/CAP_NET_BIND_SERVICE/);
    expect(lines[0]).toMatch(/1161/);
    expect(stdout).not.toMatch(/agent started/);
  });
});
