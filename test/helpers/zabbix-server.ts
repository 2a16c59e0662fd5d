import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freeTcpPort } from './ports.js';

/**
 * Debian's Zabbix 6.0 server and frontend, private to one test: a PostgreSQL cluster in a temp
 * directory (initdb, Zabbix's schema, images and data imported), zabbix_server in the foreground,
 * and the frontend's API served by `php -S` from a copy of /usr/share/zabbix. Needs root (the
 * cluster runs as the postgres user) and the Debian packages named in requireZabbix().
 */
const PG_BIN = '/usr/lib/postgresql/15/bin';
const ZABBIX_SERVER = '/usr/sbin/zabbix_server';
const FRONTEND = '/usr/share/zabbix';
const SQL_DIR = '/usr/share/zabbix-server-pgsql';
const PACKAGES = 'zabbix-server-pgsql zabbix-frontend-php postgresql php-cli php-pgsql';

export function requireZabbix(): void {
  for (const path of [ZABBIX_SERVER, `${PG_BIN}/postgres`, '/usr/bin/php', `${SQL_DIR}/schema.sql.gz`, `${FRONTEND}/api_jsonrpc.php`]) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      throw new Error(`${path} not found: install the Debian packages ${PACKAGES} (apt-get install ${PACKAGES})`);
    }
  }
  if (userInfo().uid !== 0) throw new Error('the Zabbix test runs PostgreSQL as the postgres user, so it needs root');
}

export interface ZabbixApi {
  call<T>(method: string, params: unknown): Promise<T>;
}

export interface RunningZabbix {
  readonly api: ZabbixApi;
  /** zabbix_server's log, for failure messages. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** zabbix_server's ListenPort must be 1024–32767, below Linux's ephemeral ports, so it is picked here and tried. */
async function freeListenPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no free TCP port between 20000 and 32000');
}

function run(file: string, args: readonly string[], input?: Buffer): void {
  const result = spawnSync(file, args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.status}): ${String(result.stderr).slice(0, 2000)}`);
}

async function waitFor(what: string, probe: () => Promise<boolean>, output: () => Promise<string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${await output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startZabbix(): Promise<RunningZabbix> {
  requireZabbix();
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-zabbix-'));
  await chmod(dir, 0o755);
  const children: ChildProcess[] = [];
  /** Set once the cluster exists: pg_ctl waits for the server to be gone, a signal to runuser would not. */
  let stopPostgres = () => {};
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child);
    stopPostgres();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [pgPort, serverPort, webPort] = [await freeTcpPort(), await freeListenPort(), await freeTcpPort()];
    const pgData = join(dir, 'pg');
    await mkdir(pgData);
    const postgresUid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString());
    await chown(pgData, postgresUid, -1);
    const asPostgres = (command: string, args: string[]) => ['-u', 'postgres', '--', command, ...args];
    run('runuser', asPostgres(`${PG_BIN}/initdb`, ['-D', pgData, '-A', 'trust', '-U', 'postgres']));
    spawn('runuser', asPostgres(`${PG_BIN}/postgres`, ['-D', pgData, '-k', pgData, '-p', String(pgPort), '-c', 'listen_addresses=127.0.0.1']), {
      stdio: 'ignore',
    });
    stopPostgres = () => void spawnSync('runuser', asPostgres(`${PG_BIN}/pg_ctl`, ['stop', '-D', pgData, '-m', 'fast', '-w']));
    const psql = (database: string, user: string, input?: Buffer, sql?: string) =>
      run('psql', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', user, '-d', database, '-q', '-v', 'ON_ERROR_STOP=1', ...(sql ? ['-c', sql] : [])], input);
    await waitFor(
      'PostgreSQL',
      async () => spawnSync(`${PG_BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(pgPort)]).status === 0,
      async () => '',
    );
    psql('postgres', 'postgres', undefined, "create user zabbix password 'zabbix'");
    psql('postgres', 'postgres', undefined, 'create database zabbix owner zabbix');
    for (const part of ['schema', 'images', 'data'])
      psql('zabbix', 'zabbix', spawnSync('zcat', [`${SQL_DIR}/${part}.sql.gz`], { maxBuffer: 256 * 2 ** 20 }).stdout);

    const serverConf = join(dir, 'zabbix_server.conf');
    const serverLog = join(dir, 'zabbix_server.log');
    await writeFile(
      serverConf,
      [
        `LogFile=${serverLog}`,
        `PidFile=${join(dir, 'zabbix_server.pid')}`,
        `SocketDir=${dir}`,
        'DBHost=127.0.0.1',
        `DBPort=${pgPort}`,
        'DBName=zabbix',
        'DBUser=zabbix',
        'DBPassword=zabbix',
        `ListenPort=${serverPort}`,
        // The test adds a host and expects it polled within seconds, not at the next minute's sync.
        'CacheUpdateFrequency=1',
        'AllowRoot=1',
        '',
      ].join('\n'),
    );
    const server = spawn(ZABBIX_SERVER, ['-f', '-c', serverConf], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    let serverOutput = '';
    server.stdout!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    const log = async () => `${serverOutput}${await readFile(serverLog, 'utf8').catch(() => '')}`;

    // Debian's frontend reads its configuration from a fixed path (/etc/zabbix/zabbix.conf.php); this
    // copy reads its own, so the machine's configuration is neither needed nor touched.
    const web = join(dir, 'web');
    await cp(FRONTEND, web, { recursive: true, dereference: true });
    const webConf = join(web, 'conf', 'zabbix.conf.php');
    const configClass = join(web, 'include', 'classes', 'core', 'CConfigFile.php');
    const source = await readFile(configClass, 'utf8');
    if (!source.includes("'/etc/zabbix/zabbix.conf.php'")) throw new Error(`${configClass}: the configuration path is not the one this helper expects`);
    await writeFile(configClass, source.replace("'/etc/zabbix/zabbix.conf.php'", `'${webConf}'`));
    await writeFile(
      webConf,
      [
        '<?php',
        "$DB['TYPE'] = 'POSTGRESQL';",
        "$DB['SERVER'] = '127.0.0.1';",
        `$DB['PORT'] = '${pgPort}';`,
        "$DB['DATABASE'] = 'zabbix';",
        "$DB['USER'] = 'zabbix';",
        "$DB['PASSWORD'] = 'zabbix';",
        "$DB['SCHEMA'] = '';",
        "$DB['DOUBLE_IEEE754'] = true;",
        "$ZBX_SERVER = '127.0.0.1';",
        `$ZBX_SERVER_PORT = '${serverPort}';`,
        "$ZBX_SERVER_NAME = 'envirowatch test';",
        '$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;',
        '',
      ].join('\n'),
    );
    children.push(spawn('php', ['-S', `127.0.0.1:${webPort}`, '-t', web], { stdio: 'ignore' }));

    let auth: string | undefined;
    let id = 0;
    const api: ZabbixApi = {
      async call<T>(method: string, params: unknown): Promise<T> {
        const response = await fetch(`http://127.0.0.1:${webPort}/api_jsonrpc.php`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json-rpc' },
          body: JSON.stringify({ jsonrpc: '2.0', method, params, id: ++id, ...(auth ? { auth } : {}) }),
        });
        const body = (await response.json()) as { result?: T; error?: { message: string; data: string } };
        if (body.error) throw new Error(`Zabbix API ${method}: ${body.error.message} ${body.error.data}`);
        return body.result as T;
      },
    };
    await waitFor('the Zabbix API', async () => (await api.call<string>('apiinfo.version', {})).startsWith('6.0.'), log);
    auth = await api.call<string>('user.login', { username: 'Admin', password: 'zabbix' });
    return { api, log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
