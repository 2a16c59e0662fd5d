import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * Ports free on 127.0.0.1 right now (bound to 0, read, released), for programs that cannot
 * report the port they got (snmpd, snmptrapd, snmp_exporter) or that turn 0 into a default.
 */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
