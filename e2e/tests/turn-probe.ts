import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { classes, makeIntegrityKey, Message, methods, parseMessage } from 'werift';

/** REQUESTED-TRANSPORT: the protocol number (17, UDP) in the first byte (RFC 8656 §18.7). */
const UDP = 0x11000000;
/** REQUESTED-ADDRESS-FAMILY: 0x02 is IPv6, in the first byte (RFC 8656 §18.8). */
const IPV6 = 0x02000000;

/**
 * A TURN client for the relay's safety checks (deploy-networks.e2e.ts), over UDP, built on
 * werift's STUN messages (RFC 8489 encoding, MESSAGE-INTEGRITY, FINGERPRINT): Allocate with the
 * long-term credential mechanism, then CreatePermission towards chosen peers. It answers with the
 * server's status codes (200, or the ERROR-CODE: 401, 403, …) instead of throwing, because those
 * codes are what is tested.
 */
export class TurnProbe {
  readonly #socket: Socket;
  readonly #server: { address: string; port: number };
  #auth?: { username: string; realm: string; nonce: Buffer; key: Buffer };

  private constructor(socket: Socket, server: { address: string; port: number }) {
    this.#socket = socket;
    this.#server = server;
  }

  static async open(address: string, port: number): Promise<TurnProbe> {
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    return new TurnProbe(socket, { address, port });
  }

  /**
   * Allocate a UDP relay with this username and password (an IPv6 relay when the server was reached
   * over IPv6); the status of the authenticated attempt (after the 401 that brings realm and nonce).
   */
  async allocate(username: string, password: string): Promise<{ status: number; relayed?: [string, number] }> {
    const request = () => {
      const message = new Message(methods.ALLOCATE, classes.REQUEST).setAttribute('REQUESTED-TRANSPORT', UDP);
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
    this.#socket.close();
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

  /** Sends the request (again every 500 ms, as STUN over UDP does) until its answer arrives. */
  async #request(message: Message, timeoutMs = 5_000): Promise<Message> {
    const id = message.transactionIdHex;
    return new Promise<Message>((resolve, reject) => {
      const send = () => this.#socket.send(message.bytes, this.#server.port, this.#server.address);
      const resend = setInterval(send, 500);
      const timer = setTimeout(() => finish(new Error(`no answer from TURN ${this.#server.address}:${this.#server.port} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (data: Buffer) => {
        const answer = parseMessage(data);
        if (answer?.transactionIdHex === id) finish(answer);
      };
      const finish = (result: Message | Error) => {
        clearInterval(resend);
        clearTimeout(timer);
        this.#socket.off('message', onMessage);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      this.#socket.on('message', onMessage);
      send();
    });
  }
}

function status(answer: Message): number {
  if (answer.messageClass === classes.RESPONSE) return 200;
  const error = answer.getAttributeValue('ERROR-CODE') as [number, string] | undefined;
  return error?.[0] ?? 0;
}
