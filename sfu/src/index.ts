// The media plane's API: only what the other workspaces import, each name from its own file, so
// the rest of the sfu can change without them noticing.
export { MediaPlane } from './media-plane';
export { MediaRoom } from './media-room';
export type { ProducerInfo } from './media-room';
export { MediaError } from './media-error';

// The phone audio bridge (phone/): the bridge a call attaches to a room, the room's mix, and the
// G.711, Opus and RTP pieces the SIP gateway reuses for its prompts and its own RTP.
export { PhoneAudioBridge } from './phone/phone-audio-bridge';
export { RoomAudioMix } from './phone/room-audio-mix';
export type { PhoneCodec } from './phone/phone-codec';
export { decodeG711, encodeG711 } from './phone/g711';
export type { G711Law } from './phone/g711';
export { OpusFrameDecoder, OpusFrameEncoder } from './phone/opus-codec';
export { isRtcpPacket, parseRtpPacket, RtpParseError, serializeRtpPacket } from './phone/rtp-packet';
export type { RtpPacket, RtpPacketFields, RtpParseErrorReason } from './phone/rtp-packet';
