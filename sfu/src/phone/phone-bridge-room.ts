import type { types } from 'mediasoup';

import type { ProducerSource } from '../media-peer';
import type { ConsumerInfo, MediaRoomEvents, PlainTransportInfo } from '../media-room';

type RoomEvent = 'consumerClosed' | 'reset' | 'close';
type RoomListener<E extends RoomEvent> = (...args: MediaRoomEvents[E]) => void;

/**
 * What the phone bridges and their room mix need of the conference's media
 * room: MediaRoom's own signatures, so MediaRoom is one. They rely on
 * `consume` landing on the consuming peer's plain transport, the only one a
 * phone peer (or the mix) has.
 */
export interface PhoneBridgeRoom {
  readonly rtpCapabilities: types.RtpCapabilities;
  setRtpCapabilities(peerId: string, rtpCapabilities: types.RtpCapabilities): void;
  createPlainTransport(peerId: string, options: { comedia: true }): Promise<PlainTransportInfo>;
  produce(peerId: string, transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters, appData: { source: ProducerSource }): Promise<string>;
  setProducerPaused(producerId: string, paused: boolean): Promise<void>;
  consume(peerId: string, producerId: string): Promise<ConsumerInfo | null>;
  resumeConsumer(peerId: string, consumerId: string): Promise<void>;
  closePeer(peerId: string): void;
  on<E extends RoomEvent>(event: E, listener: RoomListener<E>): unknown;
  off<E extends RoomEvent>(event: E, listener: RoomListener<E>): unknown;
}
