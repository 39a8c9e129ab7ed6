import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A port free for SIP on UDP and TCP on 127.0.0.1, with the next one free too: baresip opens
 * SIP/TLS there, so a softphone of the e2e or interop tests needs the pair.
 */
export async function freeSipPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 10_000);
    if ((await Promise.all([port, port + 1].flatMap((p) => [udpFree(p), tcpFree(p)]))).every(Boolean)) return port;
  }
  throw new Error('no free port pair for a SIP client');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
