import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolResult } from './snmp-tools.js';

/** mibs/ of this repository, where ENVIROWATCH-MIB.txt lives. */
export const MIB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../mibs');
export const MIB_FILE = join(MIB_DIR, 'ENVIROWATCH-MIB.txt');

/** The IETF modules ENVIROWATCH-MIB imports from (and SNMPv2-MIB, for sysObjectID and the trap varbinds). */
const BASE_MODULES = ['SNMPv2-SMI', 'SNMPv2-TC', 'SNMPv2-CONF', 'SNMPv2-MIB'];

/**
 * Where the SNMPv2 base modules come from in the tests: the copies the npm package `net-snmp`
 * (a devDependency, so `npm ci` installs it) ships in `lib/mibs`. Debian main has none: its
 * `snmp`/`libsnmp-base` and `smitools`/`libsmi2ldbl` were stripped of them, and the non-free
 * `snmp-mibs-downloader` fetches them from the internet at install. See mibs/README.md.
 */
export function baseMibDir(): string {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('net-snmp/package.json')), 'lib', 'mibs');
  } catch {
    throw new Error('the npm devDependency `net-snmp` is not installed (run `npm ci`): its lib/mibs holds the SNMPv2 base modules these tests load');
  }
  const missing = BASE_MODULES.filter((module) => !existsSync(join(dir, `${module}.mib`)));
  if (missing.length > 0) throw new Error(`${dir} lacks ${missing.join(', ')}: net-snmp no longer ships them; see mibs/README.md`);
  return dir;
}

/** Fails (never skips) when `tool` is missing, naming the Debian package that has it. */
export function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync(tool, ['-V'], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} not found: install the Debian package \`${debianPackage}\` (apt-get install ${debianPackage})`);
    }
    // Some versions exit non-zero on -V; being found is enough.
  }
}

function run(tool: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  return new Promise((done) => {
    execFile(tool, args, { env: { ...process.env, ...env }, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * A Net-SNMP tool with ENVIROWATCH-MIB loaded: `-m SNMPv2-MIB:ENVIROWATCH-MIB -M +mibs:<base
 * modules>`. Not `-m +ENVIROWATCH-MIB`: the `+` adds Net-SNMP's compiled-in default list (IP-MIB,
 * TCP-MIB, …), which Debian does not ship, and each missing one is a "Cannot find module" line
 * on stderr whatever snmp.conf says. No snmp.conf is read, so the machine's cannot change this.
 */
export function runWithMib(tool: string, args: readonly string[]): Promise<ToolResult> {
  return run(tool, ['-m', 'SNMPv2-MIB:ENVIROWATCH-MIB', '-M', `+${MIB_DIR}:${baseMibDir()}`, ...args], { SNMPCONFPATH: '/nonexistent' });
}

export interface SmilintMessage {
  readonly line: number;
  readonly severity: number;
  readonly message: string;
}

/**
 * `smilint -l 6` on ENVIROWATCH-MIB, with severities (`-s`). `-c /dev/null` ignores the
 * machine's /etc/smi.conf (Debian's hides some checks); SMIPATH finds the base modules.
 */
export async function smilint(): Promise<{ result: ToolResult; messages: SmilintMessage[] }> {
  const result = await run('smilint', ['-c', '/dev/null', '-s', '-l', '6', MIB_FILE], { SMIPATH: baseMibDir() });
  const messages = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      const match = /^.*?:(\d+): \[(\d+)\] (.*)$/.exec(text);
      if (!match) return { line: 0, severity: 0, message: `unparsed smilint output: ${text}` };
      return { line: Number(match[1]), severity: Number(match[2]), message: match[3]! };
    });
  return { result, messages };
}
