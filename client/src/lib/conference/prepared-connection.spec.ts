import { describe, expect, it, vi } from 'vitest';
import type { ConferenceSocket } from './conference-connection';
import { discardPreparedConnection, enterPreparedConnection, prepareConnection, takePreparedConnection } from './prepared-connection';

type Handler = (...args: unknown[]) => void;

class FakeSocket {
  connected = false;
  readonly handlers = new Map<string, Handler>();
  any: Handler | null = null;
  readonly enter = vi.fn(async (_name: string, _payload: unknown): Promise<unknown> => ({ ok: true, data: {} }));
  onAny(handler: Handler) {
    this.any = handler;
    return this;
  }
  offAny() {
    this.any = null;
    return this;
  }
  timeout() {
    return { emitWithAck: this.enter };
  }
  on(event: string, handler: Handler) {
    this.handlers.set(event, handler);
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  connect() {
    this.connected = true;
    return this;
  }
  disconnect = vi.fn(() => {
    this.connected = false;
    return this;
  });
}

function prepare(token = 'token-1') {
  const socket = new FakeSocket();
  prepareConnection(token, () => socket as unknown as ConferenceSocket);
  return socket;
}

describe('prepared connection', () => {
  it('enters on the join click, and is taken once with what the server sent since, by the same token', async () => {
    const socket = prepare();
    expect(socket.connected).toBe(true);
    enterPreparedConnection('token-1');
    expect(socket.enter).toHaveBeenCalledWith('conference:enter', {});
    socket.any?.('conference:state', { waitingCount: 0 });
    const taken = takePreparedConnection('token-1');
    expect(taken?.socket).toBe(socket);
    expect(await taken?.entered).toBe(true);
    expect(taken?.heard).toEqual([{ event: 'conference:state', args: [{ waitingCount: 0 }] }]);
    expect(socket.handlers.size).toBe(0);
    expect(socket.any).toBeNull();
    expect(takePreparedConnection('token-1')).toBeNull();
  });

  it('says when the server did not seat it', async () => {
    const socket = prepare();
    socket.enter.mockResolvedValueOnce({ ok: false, error: { code: 'ROOM_ON_OTHER_NODE' } });
    enterPreparedConnection('token-1');
    expect(await takePreparedConnection('token-1')?.entered).toBe(false);
  });

  it('is closed rather than handed over without entering, or to another token', () => {
    const unentered = prepare();
    expect(takePreparedConnection('token-1')).toBeNull();
    expect(unentered.disconnect).toHaveBeenCalled();
    const socket = prepare();
    enterPreparedConnection('token-2');
    expect(socket.enter).not.toHaveBeenCalled();
    expect(takePreparedConnection('token-2')).toBeNull();
    expect(socket.disconnect).toHaveBeenCalled();
  });

  it('is dropped when the server refuses or closes it, so the conference connects by itself', () => {
    const refused = prepare();
    refused.handlers.get('connect_error')?.();
    expect(takePreparedConnection('token-1')).toBeNull();
    const closed = prepare();
    closed.handlers.get('disconnect')?.();
    expect(takePreparedConnection('token-1')).toBeNull();
  });

  it('is closed when the page goes back or is left, and by a newer one', () => {
    const first = prepare();
    const second = prepare();
    expect(first.disconnect).toHaveBeenCalled();
    discardPreparedConnection();
    expect(second.disconnect).toHaveBeenCalled();
    expect(takePreparedConnection('token-1')).toBeNull();
  });
});
