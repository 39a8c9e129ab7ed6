import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { classes, makeIntegrityKey, Message, methods, parseMessage } from 'werift';

/** REQUESTED-TRANSPORT: the protocol number (17 UDP, 6 TCP for RFC 6062) in the first byte (RFC 8656 §18.7). */
const RELAY_TRANSPORT = { udp: 0x11000000, tcp: 0x06000000 };
/** REQUESTED-ADDRESS-FAMILY: 0x02 is IPv6, in the first byte (RFC 8656 §18.8). */
const IPV6 = 0x02000000;
/** Every STUN message starts with a 20-byte header whose bytes 2-3 are the length of the rest. */
const HEADER_BYTES = 20;

/** How the probe talks to the server: datagrams, or a TCP stream of back-to-back messages. */
interface Channel {
  /** UDP loses requests, so they are sent again; TCP delivers them. */
  readonly resends: boolean;
  send(bytes: Buffer): void;
  onMessage(listener: (data: Buffer) => void): () => void;
  close(): void;
}

async function udpChannel(server: { address: string; port: number }): Promise<Channel> {
  const socket = createSocket(isIPv6(server.address) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  return {
    resends: true,
    send: (bytes) => socket.send(bytes, server.port, server.address),
    onMessage: (listener) => {
      socket.on('message', listener);
      return () => socket.off('message', listener);
    },
    close: () => socket.close(),
  };
}

async function tcpChannel(server: { address: string; port: number }): Promise<Channel> {
  const socket = connect(server.port, server.address);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  // A connection the server drops later shows as the waiting request's timeout, which names the server.
  socket.on('error', () => undefined);
  const listeners = new Set<(data: Buffer) => void>();
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES && pending.length >= HEADER_BYTES + pending.readUInt16BE(2)) {
      const length = HEADER_BYTES + pending.readUInt16BE(2);
      const message = pending.subarray(0, length);
      pending = pending.subarray(length);
      for (const listener of listeners) listener(message);
    }
  });
  return {
    resends: false,
    send: (bytes) => socket.write(bytes),
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => socket.destroy(),
  };
}

/**
 * A TURN client for the relay's safety checks (deploy-networks.e2e.ts), over UDP or TCP, built on
 * werift's STUN messages (RFC 8489 encoding, MESSAGE-INTEGRITY, FINGERPRINT): Allocate with the
 * long-term credential mechanism, then CreatePermission towards chosen peers. It answers with the
 * server's status codes (200, or the ERROR-CODE: 401, 403, …) instead of throwing, because those
 * codes are what is tested.
 */
export class TurnProbe {
  readonly #channel: Channel;
  readonly #server: { address: string; port: number };
  #auth?: { username: string; realm: string; nonce: Buffer; key: Buffer };

  private constructor(channel: Channel, server: { address: string; port: number }) {
    this.#channel = channel;
    this.#server = server;
  }

  /** A probe talking to the server over UDP, or over a TCP connection (the only way to ask for a TCP relay, RFC 6062 §4.1). */
  static async open(address: string, port: number, transport: 'udp' | 'tcp' = 'udp'): Promise<TurnProbe> {
    const server = { address, port };
    return new TurnProbe(await (transport === 'udp' ? udpChannel(server) : tcpChannel(server)), server);
  }

  /**
   * Allocate a relay (UDP, or TCP as RFC 6062 asks for one) with this username and password (an
   * IPv6 relay when the server was reached over IPv6); the status of the authenticated attempt
   * (after the 401 that brings realm and nonce).
   */
  async allocate(username: string, password: string, relay: 'udp' | 'tcp' = 'udp'): Promise<{ status: number; relayed?: [string, number] }> {
    const request = () => {
      const message = new Message(methods.ALLOCATE, classes.REQUEST).setAttribute('REQUESTED-TRANSPORT', RELAY_TRANSPORT[relay]);
      return isIPv6(this.#server.address) ? message.setAttribute('REQUESTED-ADDRESS-FAMILY', IPV6) : message;
    };
    const challenge = await this.#request(request());
    if (status(challenge) !== 401) return { status: status(challenge) };
    const realm = challenge.getAttributeValue('REALM') as string;
    const nonce = challenge.getAttributeValue('NONCE') as Buffer;
    this.#auth = { username, realm, nonce, key: makeIntegrityKey(username, realm, password) };
    const answer = await this.#request(this.#signed(request()));
    return { status: status(answer), relayed: answer.getAttributeValue('XOR-RELAYED-ADDRESS') as [string, number] | undefined };
  }

  /** CreatePermission for `peer` on the allocation made by allocate(): 200, or 403 for a peer the relay refuses. */
  async permit(peer: string): Promise<number> {
    if (!this.#auth) throw new Error('allocate first');
    const request = new Message(methods.CREATE_PERMISSION, classes.REQUEST).setAttribute('XOR-PEER-ADDRESS', [peer, 9]);
    return status(await this.#request(this.#signed(request)));
  }

  close(): void {
    this.#channel.close();
  }

  #signed(message: Message): Message {
    const auth = this.#auth!;
    return message
      .setAttribute('USERNAME', auth.username)
      .setAttribute('REALM', auth.realm)
      .setAttribute('NONCE', auth.nonce)
      .addMessageIntegrity(auth.key)
      .addFingerprint();
  }

  /** Sends the request (over UDP again every 500 ms, as STUN does there) until its answer arrives. */
  async #request(message: Message, timeoutMs = 5_000): Promise<Message> {
    const id = message.transactionIdHex;
    return new Promise<Message>((resolve, reject) => {
      const send = () => this.#channel.send(message.bytes);
      const resend = this.#channel.resends ? setInterval(send, 500) : undefined;
      const timer = setTimeout(() => finish(new Error(`no answer from TURN ${this.#server.address}:${this.#server.port} within ${timeoutMs} ms`)), timeoutMs);
      const stopListening = this.#channel.onMessage((data) => {
        const answer = parseMessage(data);
        if (answer?.transactionIdHex === id) finish(answer);
      });
      const finish = (result: Message | Error) => {
        clearInterval(resend);
        clearTimeout(timer);
        stopListening();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      send();
    });
  }
}

function status(answer: Message): number {
  if (answer.messageClass === classes.RESPONSE) return 200;
  const error = answer.getAttributeValue('ERROR-CODE') as [number, string] | undefined;
  return error?.[0] ?? 0;
}
