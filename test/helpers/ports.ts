import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports free on 127.0.0.1 right now (bound, released), for programs that cannot report the port
 * they got (snmpd, snmptrapd, snmp_exporter) or that turn 0 into a default, or that must bind the
 * same port again (an agent restarted). Chosen at random below the kernel's ephemeral range, not
 * by binding to 0: a port from that range, once released, can be given to any client socket of the
 * tests running beside (an outgoing TCP connection, an unbound UDP sender) before the program
 * binds it, and the program then fails to start.
 */
const EPHEMERAL_FIRST = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
const FIRST = 10_000;

async function freePort(bind: (port: number) => Promise<boolean>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (EPHEMERAL_FIRST - FIRST));
    if (await bind(port)) return port;
  }
  throw new Error(`no free port found between ${FIRST} and ${EPHEMERAL_FIRST}`);
}

export function freeUdpPort(): Promise<number> {
  return freePort(
    (port) =>
      new Promise((resolve) => {
        const socket = createSocket('udp4');
        socket.once('error', () => (socket.close(), resolve(false)));
        socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
      }),
  );
}

export function freeTcpPort(): Promise<number> {
  return freePort(
    (port) =>
      new Promise((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
      }),
  );
}
