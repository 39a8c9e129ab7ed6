import * as dgram from 'node:dgram';
import { isIP } from 'node:net';

export interface RtpAddress {
  ip: string;
  port: number;
}

/** A bound UDP socket whose send errors (ICMP port unreachable from a phone that hung up) cannot crash the process. */
export function bindUdp(ip: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** The local address to bind to for talking to `target`: loopback stays on loopback. */
export function listenIpFor(target: string): string {
  if (target.startsWith('127.') || target === '::1') return target === '::1' ? '::1' : '127.0.0.1';
  return isIP(target) === 6 ? '::' : '0.0.0.0';
}

export function sameAddress(a: RtpAddress, remote: dgram.RemoteInfo): boolean {
  return a.ip === remote.address && a.port === remote.port;
}
