import type { ConferenceRequest, ConferenceRequestName, ConferenceResponses } from '@konferenz/shared';
import { Device, FakeHandler, testFakeParameters } from 'mediasoup-client';
import type { ConferenceSignaling } from '../conference-connection';

/** For unit tests only: the server's side of the media flow, answering with mediasoup-client's fake parameters. */
export class FakeMediaServer implements ConferenceSignaling {
  readonly sent: Array<{ name: ConferenceRequestName; payload: Record<string, unknown> }> = [];
  /** Requests answered with this error code instead. */
  readonly failing = new Map<ConferenceRequestName, string>();
  #transports = 0;

  async request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]> {
    this.sent.push({ name, payload: payload as Record<string, unknown> });
    const failure = this.failing.get(name);
    if (failure) throw Object.assign(new Error(failure), { code: failure });
    const answers: Partial<Record<ConferenceRequestName, () => unknown>> = {
      'media:rtpCapabilities': () => ({ rtpCapabilities: routerCapabilities() }),
      'media:createTransport': () => ({
        ...testFakeParameters.generateTransportRemoteParameters(),
        id: `transport-${++this.#transports}`,
        iceServers: [],
      }),
      'media:produce': () => ({ producerId: `producer-${String((payload as { source: string }).source)}` }),
    };
    return (answers[name]?.() ?? {}) as ConferenceResponses[N];
  }

  names(): ConferenceRequestName[] {
    return this.sent.map(({ name }) => name);
  }

  last(name: ConferenceRequestName): Record<string, unknown> | undefined {
    return this.sent.filter((request) => request.name === name).at(-1)?.payload;
  }
}

/** The fake router's capabilities, the same on every call (as a real server's are). */
export const routerCapabilities = () => testFakeParameters.generateRouterRtpCapabilities();

export const fakeDevice = async () => new Device({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });

export function fakeConsumerOffer(kind: 'audio' | 'video', consumerId: string, participantId = 'anna') {
  const remote = testFakeParameters.generateConsumerRemoteParameters({
    id: consumerId,
    codecMimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8',
  });
  return {
    consumerId,
    producerId: remote.producerId,
    participantId,
    kind,
    source: kind === 'audio' ? ('microphone' as const) : ('camera' as const),
    rtpParameters: remote.rtpParameters as unknown as Record<string, unknown>,
    producerPaused: false,
  };
}
