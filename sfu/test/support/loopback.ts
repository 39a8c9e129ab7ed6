import * as dgram from 'node:dgram';
import * as net from 'node:net';

/** Everything the tests send or listen on stays on this address. */
export const LOOPBACK = '127.0.0.1';

async function udpFree(port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  const free = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, LOOPBACK, () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => socket.close(() => resolve()));
  return free;
}

async function tcpFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/**
 * The first of `count` consecutive ports that are free on loopback for both
 * UDP and TCP right now. Random bases keep test files running in parallel
 * from picking the same ports.
 */
export async function freeLoopbackPorts(count = 1): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let allFree = true;
    for (let port = base; port < base + count && allFree; port++) {
      allFree = (await udpFree(port)) && (await tcpFree(port));
    }
    if (allFree) return base;
  }
  throw new Error(`no ${count} consecutive free loopback ports found`);
}

/** A UDP socket bound to an ephemeral loopback port. */
export async function loopbackUdpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, LOOPBACK, () => resolve());
  });
  return socket;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
