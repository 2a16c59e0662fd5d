/**
 * A real rsyslogd (Debian `rsyslog`, with `rsyslog-gnutls` for TLS) as the collector in tests:
 * listens on loopback (UDP, plain TCP and/or TLS), and writes every message it parsed as one
 * line of `|`-separated fields to a file the test reads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, freeUdpPort } from './ports.js';

export function requireRsyslog(tls = false): void {
  if (spawnSync('rsyslogd', ['-v'], { stdio: 'ignore' }).error)
    throw new Error('rsyslogd not found: install the Debian package rsyslog (apt-get install rsyslog)');
  if (
    tls &&
    !existsSync('/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so') &&
    spawnSync('sh', ['-c', 'ls /usr/lib/*/rsyslog/lmnsd_gtls.so'], { stdio: 'ignore' }).status !== 0
  ) {
    throw new Error('rsyslog TLS driver not found: install the Debian package rsyslog-gnutls');
  }
}

export interface CollectedMessage {
  hostname: string;
  app: string;
  procId: string;
  msgId: string;
  facility: string;
  severity: string;
  structuredData: string;
  message: string;
}

export interface RunningRsyslog {
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number | undefined;
  messages(): Promise<CollectedMessage[]>;
  /** Polls until `count` messages arrived (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<CollectedMessage[]>;
  stop(): Promise<void>;
}

export async function startRsyslog(options: { tls?: { cert: string; key: string; ca: string }; tcpPort?: number } = {}): Promise<RunningRsyslog> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-rsyslog-'));
  const [udpPort, tcpPort, tlsPort] = [await freeUdpPort(), options.tcpPort ?? (await freeTcpPort()), options.tls ? await freeTcpPort() : undefined];
  const out = join(dir, 'messages.txt');
  const tls = options.tls;
  const conf = [
    `global(workDirectory="${dir}"${tls ? ` defaultNetstreamDriverCAFile="${tls.ca}" defaultNetstreamDriverCertFile="${tls.cert}" defaultNetstreamDriverKeyFile="${tls.key}"` : ''})`,
    'module(load="imudp")',
    'module(load="imtcp" maxSessions="200")',
    `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
    `input(type="imtcp" address="127.0.0.1" port="${tcpPort}")`,
    ...(tls ? [`input(type="imtcp" address="127.0.0.1" port="${tlsPort}" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")`] : []),
    'template(name="fields" type="string" string="%hostname%|%app-name%|%procid%|%msgid%|%syslogfacility-text%|%syslogseverity-text%|%structured-data%|%msg%\\n")',
    `*.* action(type="omfile" file="${out}" template="fields")`,
    '',
  ].join('\n');
  const confFile = join(dir, 'rsyslog.conf');
  await writeFile(confFile, conf);
  const child = spawn('rsyslogd', ['-n', '-f', confFile, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const messages = async (): Promise<CollectedMessage[]> => {
    const text = await readFile(out, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [hostname, app, procId, msgId, facility, severity, structuredData, ...rest] = line.split('|');
        return {
          hostname: hostname!,
          app: app!,
          procId: procId!,
          msgId: msgId!,
          facility: facility!,
          severity: severity!,
          structuredData: structuredData!,
          message: rest
            .join('|')
            .replace(/^\ufeff/, '')
            .trim(),
        };
      });
  };
  const waitFor = async (count: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = await messages();
      if (got.length >= count) return got;
      if (child.exitCode !== null) throw new Error(`rsyslogd exited:\n${output}`);
      if (Date.now() > deadline)
        throw new Error(`rsyslogd received ${got.length} of ${count} messages in ${timeoutMs} ms:\n${got.map((m) => JSON.stringify(m)).join('\n')}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  // Ready once it accepts a TCP connection on its plain port.
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(tcpPort, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`rsyslogd did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    udpPort,
    tcpPort,
    tlsPort,
    messages,
    waitFor,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
