import { describe, expect, it, vi } from 'vitest';
import { ConferenceConnection, ConferenceRequestError, type ConferenceSocket } from './conference-connection';

function socketAnswering(answer: (name: string, payload: unknown) => Promise<unknown>, connected = true) {
  const emitWithAck = vi.fn(answer);
  const timeout = vi.fn(() => ({ emitWithAck }));
  return { socket: { connected, timeout } as unknown as ConferenceSocket, emitWithAck, timeout };
}

describe('ConferenceConnection.request', () => {
  it('emits the request with an acknowledgement and a timeout, and returns the data', async () => {
    const { socket, emitWithAck, timeout } = socketAnswering(async () => ({ ok: true, data: { producerId: 'p1' } }));
    const connection = new ConferenceConnection(socket);
    const payload = { transportId: 't', kind: 'audio', rtpParameters: { codecs: [] }, source: 'microphone' } as never;

    await expect(connection.request('media:produce', payload)).resolves.toEqual({ producerId: 'p1' });
    expect(timeout).toHaveBeenCalledWith(10_000);
    expect(emitWithAck).toHaveBeenCalledWith('media:produce', payload);
  });

  it('throws the server’s error code', async () => {
    const { socket } = socketAnswering(async () => ({ ok: false, error: { code: 'MODERATOR_ONLY', message: 'Nur Moderatoren', fieldErrors: [] } }));
    const error = await new ConferenceConnection(socket).request('moderator:muteAll', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConferenceRequestError);
    expect(error).toMatchObject({ code: 'MODERATOR_ONLY', message: 'Nur Moderatoren' });
  });

  it('reports an unknown code or a malformed answer as INTERNAL', async () => {
    const unknown = socketAnswering(async () => ({ ok: false, error: { code: 'SOMETHING_NEW', message: 'x' } }));
    await expect(new ConferenceConnection(unknown.socket).request('moderator:end', {})).rejects.toMatchObject({ code: 'INTERNAL' });
    const malformed = socketAnswering(async () => 'ok');
    await expect(new ConferenceConnection(malformed.socket).request('moderator:end', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('fails fast with NETWORK while disconnected, and on a timeout', async () => {
    const offline = socketAnswering(async () => ({ ok: true, data: {} }), false);
    await expect(new ConferenceConnection(offline.socket).request('moderator:end', {})).rejects.toMatchObject({ code: 'NETWORK' });
    expect(offline.emitWithAck).not.toHaveBeenCalled();

    const silent = socketAnswering(async () => Promise.reject(new Error('operation has timed out')));
    await expect(new ConferenceConnection(silent.socket).request('moderator:end', {})).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
