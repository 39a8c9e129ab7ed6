// What the phone audio side offers outside sfu/src/phone: the call's RTP session and the bridge
// into a room for the server's phone application; the packet format and codecs for its prompts
// and tests. Everything else is the bridge's inside (tests import those modules directly).
export { PhoneAudioBridge } from './phone-audio-bridge';
export type { PhoneAudioBridgeEvents, PhoneAudioBridgeOptions, PhoneAudioBridgeStats } from './phone-audio-bridge';
export type { PhoneBridgeRoom } from './phone-bridge-room';
export type { PhoneCodec } from './phone-codec';
export type { RoomAudioMix, RoomAudioMixCounters } from './room-audio-mix';
export { RtpSession } from './rtp-session';
export type { CallMedia, RtpEndpoint, RtpSessionEvents, RtpSessionStats } from './rtp-session';
export type { KeyEvent } from './rfc4733-receiver';
export { RtpParseError, parseRtpPacket, serializeRtpPacket } from './rtp-packet';
export type { RtpPacket, RtpPacketFields, RtpParseErrorReason } from './rtp-packet';
export { decodeG711, encodeG711, mulawToAlaw } from './g711';
export type { G711Law } from './g711';
export { OpusFrameDecoder, OpusFrameEncoder } from './opus-codec';
export { benchmarkRoomMix } from './room-mix-benchmark';
export type { RoomMixBenchmarkOptions, RoomMixBenchmarkResult, TimingSummary } from './room-mix-benchmark';
