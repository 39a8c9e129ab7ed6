// The media plane's API: only what the other workspaces import, each name from its own file, so
// the rest of the sfu can change without them noticing.
export { MediaPlane } from './media-plane';
export { MediaRoom } from './media-room';
export type { ConsumerInfo, PlainTransportInfo, ProducerInfo } from './media-room';
export { MediaError } from './media-error';

// The phone audio side (phone/): the call's RTP session (the one owner of the caller's socket),
// the bridge it attaches to a room, the room's mix, and the RTP, G.711 and Opus pieces the
// phone application reuses for its prompts.
export { RtpSession } from './phone/rtp-session';
export { evenPortCount, type PortRange } from './phone/udp';
export { PhoneAudioBridge } from './phone/phone-audio-bridge';
export type { PhoneBridgeRoom } from './phone/phone-bridge-room';
export { phoneRtpCapabilities, RoomAudioMix } from './phone/room-audio-mix';
export { PhoneMixThreads } from './phone/phone-mix-threads';
export type { PhoneMixStats } from './phone/mix-protocol';
export type { PhoneCodec } from './phone/phone-codec';
export { decodeG711, encodeG711, mulawToAlaw } from './phone/g711';
export { InbandKeys } from './phone/inband-keys';
export { OpusFrameDecoder, OpusFrameEncoder } from './phone/opus-codec';
export { G722Decoder, G722Encoder } from './phone/g722';
export { Upsampler } from './phone/resampler';
export { parseRtpPacket, RtpParseError, serializeRtpPacket } from './phone/rtp-packet';
export type { RtpPacket } from './phone/rtp-packet';
