export { WorkerPool } from './worker-pool';
export type { WorkerPoolEvents, WorkerPoolOptions } from './worker-pool';
export { loadMediasoup, mediasoupWorkerBinaryPath, MEDIASOUP_VERSION } from './worker-binary';
export { MediaPlane } from './media-plane';
export type { MediaPlaneEvents, MediaPlaneOptions } from './media-plane';
export { MediaRoom } from './media-room';
export type {
  ConsumerInfo,
  MediaRoomEvents,
  MediaRoomSettings,
  PlainTransportInfo,
  PlainTransportOptions,
  ProducerInfo,
  WebRtcTransportInfo,
  WorkerPlacement,
} from './media-room';
export type { ProducerSource, TransportDirection } from './media-peer';
export { MediaError, MEDIA_ERROR_CODES } from './media-error';
export type { MediaErrorCode } from './media-error';
export { ROUTER_MEDIA_CODECS } from './router-codecs';
export { spatialLayerCount, spatialLayerForTile } from './simulcast-layers';
// The phone audio bridge (phone/): RTP, G.711, Opus, resampling, jitter buffer, N-1 mixer.
export * from './phone';
