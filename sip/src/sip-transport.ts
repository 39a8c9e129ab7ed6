import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { SIP_LIMITS } from './sip-limits';
import { networkSource } from './network-source';

export type SipTransportName = 'UDP' | 'TCP';

/** Where a message came from, and so where its answers go (symmetric response routing). */
export interface SipPeer {
  transport: SipTransportName;
  address: string;
  port: number;
}

export interface SipTransportOptions {
  host: string;
  port: number;
  udp?: boolean;
  tcp?: boolean;
  /** Open TCP connections in total and per network source (IPv4 address, IPv6 /64). */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /**
   * A TCP connection with no traffic for this long is closed unless `carriesCall` says a call
   * runs over it (that one lives as long as its call; its idle timer starts again when it ends).
   */
  idleTimeoutMs?: number;
  carriesCall?: (peer: SipPeer) => boolean;
  /** A message that has started must be complete within this time (slow-sender protection). */
  messageTimeoutMs?: number;
}

export interface SipTransportEvents {
  message: [bytes: Buffer, peer: SipPeer, framing: { stream: boolean; error?: string }];
  error: [error: Error];
  /** A TCP connection turned away at once (over the per-address or total connection limit). */
  refused: [peer: SipPeer];
}

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*$/im;

function peerKey(peer: Pick<SipPeer, 'address' | 'port'>): string {
  return `${peer.address}|${peer.port}`;
}

/**
 * The gateway's SIP sockets: one UDP socket and one TCP listener on the same port. TCP streams
 * are cut into messages by Content-Length with hard size and time limits. Sending goes back to
 * the peer a message came from, over the same TCP connection; the gateway never opens a
 * connection of its own. No socket error ever escapes as an exception.
 */
export class SipTransport extends EventEmitter<SipTransportEvents> {
  readonly #udp?: UdpSocket;
  readonly #tcp?: Server;
  readonly #connections = new Map<string, Socket>();
  readonly #options: Required<SipTransportOptions>;
  #closed = false;

  private constructor(options: Required<SipTransportOptions>, udp?: UdpSocket, tcp?: Server) {
    super();
    this.#options = options;
    this.#udp = udp;
    this.#tcp = tcp;
  }

  /** Binds UDP and TCP (port 0: the kernel picks one UDP port, and TCP takes the same number). */
  static async listen(options: SipTransportOptions): Promise<SipTransport> {
    const settings: Required<SipTransportOptions> = {
      host: options.host,
      port: options.port,
      udp: options.udp ?? true,
      tcp: options.tcp ?? true,
      maxConnections: options.maxConnections ?? 512,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 8,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      carriesCall: options.carriesCall ?? (() => false),
      messageTimeoutMs: options.messageTimeoutMs ?? 10_000,
    };
    let udp: UdpSocket | undefined;
    let tcp: Server | undefined;
    let port = settings.port;
    try {
      if (settings.udp) {
        udp = createSocket({ type: isIPv6(settings.host) ? 'udp6' : 'udp4' });
        await new Promise<void>((resolve, reject) => {
          udp!.once('error', reject);
          udp!.bind(port, settings.host, () => {
            udp!.off('error', reject);
            resolve();
          });
        });
        port = udp.address().port;
      }
      if (settings.tcp) {
        tcp = createServer();
        await new Promise<void>((resolve, reject) => {
          tcp!.once('error', reject);
          tcp!.listen(port, settings.host, () => {
            tcp!.off('error', reject);
            resolve();
          });
        });
        port = (tcp.address() as { port: number }).port;
      }
    } catch (error) {
      udp?.close();
      tcp?.close();
      throw error;
    }
    const transport = new SipTransport({ ...settings, port }, udp, tcp);
    transport.#attach();
    return transport;
  }

  get port(): number {
    return this.#options.port;
  }

  get host(): string {
    return this.#options.host;
  }

  #attach(): void {
    this.#udp?.on('message', (bytes, remote) => {
      this.emit('message', bytes, { transport: 'UDP', address: remote.address, port: remote.port }, { stream: false });
    });
    this.#udp?.on('error', (error) => this.#report(error));
    this.#tcp?.on('connection', (socket) => this.#accept(socket));
    this.#tcp?.on('error', (error) => this.#report(error));
  }

  #report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #accept(socket: Socket): void {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (!address || !port || this.#closed) {
      socket.destroy();
      return;
    }
    // Per network source: an IPv6 customer holds a whole /64.
    const source = networkSource(address);
    let fromAddress = 0;
    for (const other of this.#connections.values()) if (networkSource(other.remoteAddress) === source) fromAddress++;
    const peer: SipPeer = { transport: 'TCP', address, port };
    if (this.#connections.size >= this.#options.maxConnections || fromAddress >= this.#options.maxConnectionsPerAddress) {
      socket.destroy();
      this.emit('refused', peer);
      return;
    }
    const key = peerKey(peer);
    this.#connections.set(key, socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.idleTimeoutMs, () => {
      // Idle, but a call's dialog runs over it: look again after another idle period.
      if (this.#options.carriesCall(peer)) socket.setTimeout(this.#options.idleTimeoutMs);
      else socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
      clearTimeout(partialTimer);
    });

    let buffer: Buffer = Buffer.alloc(0);
    let partialTimer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      this.#drain(socket, peer, buffer, (rest) => (buffer = rest));
      clearTimeout(partialTimer);
      if (buffer.length > 0 && !socket.destroyed) {
        partialTimer = setTimeout(() => socket.destroy(), this.#options.messageTimeoutMs);
      }
    });
  }

  /** Cuts complete messages off the front of a connection's buffer. */
  #drain(socket: Socket, peer: SipPeer, buffer: Buffer, keep: (rest: Buffer) => void): void {
    while (buffer.length > 0 && !socket.destroyed) {
      // RFC 5626 keep-alive: a double CRLF ping is answered with a single CRLF pong.
      const start = buffer.subarray(0, 4).toString('latin1');
      if (start === '\r\n\r\n') {
        socket.write('\r\n');
        buffer = buffer.subarray(4);
        continue;
      }
      if (start.startsWith('\r\n')) {
        if ('\r\n\r\n'.startsWith(start)) break; // perhaps a ping still arriving
        buffer = buffer.subarray(2);
        continue;
      }
      const headEnd = buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        if (buffer.length > SIP_LIMITS.maxHeaderSectionBytes) {
          // No end of headers in sight: a flood or a broken peer, not worth an answer.
          socket.destroy();
          buffer = Buffer.alloc(0);
        }
        break;
      }
      const head = buffer.subarray(0, headEnd).toString('latin1');
      const lengthMatch = CONTENT_LENGTH.exec(head);
      const length = lengthMatch && /^\d{1,9}$/.test(lengthMatch[1]!) ? Number(lengthMatch[1]) : undefined;
      if (length === undefined || length > SIP_LIMITS.maxBodyBytes) {
        // Without a usable length the stream cannot be cut reliably: answer what can be answered and hang up.
        const error = length === undefined ? (lengthMatch ? 'Bad Content-Length' : 'Content-Length Required') : 'Body Too Large';
        this.emit('message', buffer.subarray(0, headEnd + 4), peer, { stream: true, error });
        socket.end();
        buffer = Buffer.alloc(0);
        break;
      }
      const total = headEnd + 4 + length;
      if (buffer.length < total) break;
      this.emit('message', buffer.subarray(0, total), peer, { stream: true });
      buffer = buffer.subarray(total);
    }
    keep(Buffer.from(buffer));
  }

  /** Sends to a peer; over TCP only on the connection it came from. Returns false when that is gone. */
  send(peer: SipPeer, message: string): boolean {
    if (this.#closed) return false;
    const bytes = Buffer.from(message, 'latin1');
    if (peer.transport === 'UDP') {
      if (!this.#udp) return false;
      this.#udp.send(bytes, peer.port, peer.address, (error) => {
        if (error) this.#report(error);
      });
      return true;
    }
    const socket = this.#connections.get(peerKey(peer));
    if (!socket || socket.destroyed || !socket.writable) return false;
    socket.write(bytes);
    return true;
  }

  /** Ends a TCP connection after what was written to it is flushed. */
  endConnection(peer: SipPeer): void {
    if (peer.transport === 'TCP') this.#connections.get(peerKey(peer))?.end();
  }

  isReliable(peer: SipPeer): boolean {
    return peer.transport !== 'UDP';
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#connections.values()) socket.destroy();
    this.#connections.clear();
    await Promise.all([
      this.#udp ? new Promise<void>((resolve) => this.#udp!.close(() => resolve())) : undefined,
      this.#tcp ? new Promise<void>((resolve) => this.#tcp!.close(() => resolve())) : undefined,
    ]);
  }
}
