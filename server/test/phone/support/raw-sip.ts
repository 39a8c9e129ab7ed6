import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';

/** A hand-made SIP message, for the tests that send what no well-behaved client would. */
export function sipMessage(options: {
  method?: string;
  user?: string;
  port: number;
  localPort: number;
  transport?: 'UDP' | 'TCP';
  headers?: Record<string, string | null>;
  body?: string;
  startLine?: string;
  callId?: string;
  branch?: string;
}): string {
  const method = options.method ?? 'OPTIONS';
  const callId = options.callId ?? `${randomBytes(6).toString('hex')}@127.0.0.1`;
  const body = options.body ?? '';
  const headers: Record<string, string | null> = {
    Via: `SIP/2.0/${options.transport ?? 'UDP'} 127.0.0.1:${options.localPort};branch=${options.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`};rport`,
    'Max-Forwards': '70',
    From: `<sip:tester@127.0.0.1:${options.localPort}>;tag=${randomBytes(4).toString('hex')}`,
    To: `<sip:${options.user ?? 'conference'}@127.0.0.1:${options.port}>`,
    'Call-ID': callId,
    CSeq: `1 ${method}`,
    Contact: `<sip:tester@127.0.0.1:${options.localPort}>`,
    ...(body ? { 'Content-Type': 'application/sdp' } : {}),
    'Content-Length': String(Buffer.byteLength(body, 'latin1')),
    ...options.headers,
  };
  const lines = Object.entries(headers)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}: ${value}`);
  const startLine = options.startLine ?? `${method} sip:${options.user ?? 'conference'}@127.0.0.1:${options.port} SIP/2.0`;
  return `${startLine}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

export const OFFER = [
  'v=0',
  'o=tester 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

export interface Received {
  at: number;
  text: string;
  status?: number;
}

/** A UDP client socket that records every datagram it gets. */
export class UdpClient {
  readonly received: Received[] = [];

  private constructor(
    private readonly socket: UdpSocket,
    private readonly target: number,
  ) {
    socket.on('message', (data) => {
      const text = data.toString('latin1');
      const status = /^SIP\/2\.0 (\d{3})/.exec(text)?.[1];
      this.received.push({ at: Date.now(), text, status: status ? Number(status) : undefined });
    });
  }

  /** A client on `bindAddress` (another 127.0.0.0/8 address is another network source to the gateway). */
  static async open(target: number, bindAddress = '127.0.0.1'): Promise<UdpClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, bindAddress, resolve));
    return new UdpClient(socket, target);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(message: string | Buffer): void {
    this.socket.send(typeof message === 'string' ? Buffer.from(message, 'latin1') : message, this.target, '127.0.0.1');
  }

  /** Sends and returns the status codes received within `waitMs`. */
  async exchange(message: string | Buffer, waitMs = 150): Promise<number[]> {
    const before = this.received.length;
    this.send(message);
    await sleep(waitMs);
    return this.received.slice(before).map((entry) => entry.status ?? -1);
  }

  close(): void {
    this.socket.close();
  }
}

/** A TCP connection to the gateway from `localAddress` that records what comes back and whether it was closed. */
export class TcpClient {
  text = '';
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => (this.text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static async open(port: number, localAddress = '127.0.0.1'): Promise<TcpClient> {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const client = new TcpClient(socket);
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', () => resolve());
    });
    return client;
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(data: string): void {
    if (!this.closed) this.socket.write(Buffer.from(data, 'latin1'));
  }

  /** Waits until `predicate` holds or `waitMs` pass; returns whether it held. */
  async until(predicate: () => boolean, waitMs = 3000): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (!predicate() && Date.now() < deadline) await sleep(20);
    return predicate();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens a TCP connection, writes `data`, and collects what comes back until the server closes or `waitMs` pass. */
export async function tcpExchange(port: number, data: string | Buffer, waitMs = 300): Promise<{ text: string; closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  let closed = false;
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  const deadline = Date.now() + waitMs;
  while (!closed && Date.now() < deadline) await sleep(20);
  socket.destroy();
  return { text, closed };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function statusesIn(text: string): number[] {
  return [...text.matchAll(/^SIP\/2\.0 (\d{3})/gm)].map((match) => Number(match[1]));
}
