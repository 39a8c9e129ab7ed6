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
    // A socket whose bind failed still holds its file descriptor until it is closed.
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, ip, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Even ports from `min` to `max`, both included: where a deployment lets calls' RTP through its firewall. */
export interface PortRange {
  min: number;
  max: number;
}

/** How many even ports (RTP's convention: one call each) `range` holds. */
export function evenPortCount(range: PortRange): number {
  return Math.max(0, Math.floor(range.max / 2) - Math.ceil(range.min / 2) + 1);
}

/**
 * Binds a UDP socket to a free even port of `range` (RTP's convention), trying ports in random
 * order so concurrent calls rarely meet; ports other processes hold are skipped. Throws when every
 * even port of the range is taken.
 */
export async function bindUdpInRange(ip: string, range: PortRange): Promise<dgram.Socket> {
  const first = range.min + (range.min % 2);
  const count = evenPortCount(range);
  const start = Math.floor(Math.random() * count);
  for (let index = 0; index < count; index++) {
    const port = first + 2 * ((start + index) % count);
    try {
      return await bindUdp(ip, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error(`no free RTP port in ${range.min}-${range.max}`);
}

/** The local address to bind to for talking to `target`: loopback stays on loopback. */
export function listenIpFor(target: string): string {
  if (target.startsWith('127.') || target === '::1') return target === '::1' ? '::1' : '127.0.0.1';
  return isIP(target) === 6 ? '::' : '0.0.0.0';
}

export function sameAddress(a: RtpAddress, remote: dgram.RemoteInfo): boolean {
  return a.ip === remote.address && a.port === remote.port;
}
