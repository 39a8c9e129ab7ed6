export { PhoneAudioBridge } from './phone-audio-bridge';
export type { PhoneAudioBridgeEvents, PhoneAudioBridgeOptions, PhoneAudioBridgeStats } from './phone-audio-bridge';
export type { PhoneBridgeRoom } from './phone-bridge-room';
export type { RtpAddress } from './udp';
export { RoomAudioMix, phoneRtpCapabilities } from './room-audio-mix';
export type { RoomAudioMixCounters, RoomAudioMixOptions } from './room-audio-mix';
export { RoomMixEngine } from './room-mix-engine';
export type { ConferenceStream, MixListener, RoomMixCounters, RoomMixEngineOptions, RoomMixStats } from './room-mix-engine';
export { MixVariants } from './mix-variants';
export type { MixVariant, MixVariantsOptions } from './mix-variants';
export { MixToCaller } from './mix-to-caller';
export type { MixToCallerOptions } from './mix-to-caller';
export { FrameTimings } from './frame-timings';
export type { FrameTimingStats } from './frame-timings';
export { PCMA, PCMU, g711Law, rtpClockRate } from './phone-codec';
export type { PhoneCodec } from './phone-codec';
export { CallerToConference } from './caller-to-conference';
export type { CallerToConferenceOptions, CallerToConferenceStats, ConferenceStreamParameters } from './caller-to-conference';
export { TalkspurtGate } from './talkspurt-gate';
export type { TalkspurtDecision, TalkspurtGateOptions } from './talkspurt-gate';
export { ConferenceMixer, softClip } from './conference-mixer';
export type { ConferenceMixerOptions, MixFrame, MixerInput } from './conference-mixer';
export { OpusStreamInput } from './opus-stream-input';
export type { OpusStreamInputOptions } from './opus-stream-input';
export { JitterBuffer } from './jitter-buffer';
export type { JitterBufferOptions, JitterBufferStats, JitterPacket, JitterPushResult, JitterSlot } from './jitter-buffer';
export { G711Concealment } from './g711-concealment';
export type { G711ConcealmentOptions } from './g711-concealment';
export { decodeG711, encodeG711 } from './g711';
export type { G711Law } from './g711';
export { Downsampler, Upsampler, TELEPHONE_BAND_DESIGNS, designLowPass } from './resampler';
export type { ResamplerDesign } from './resampler';
export { OpusDecodeError, OpusFrameDecoder, OpusFrameEncoder, toc20ms } from './opus-codec';
export type { OpusFrameEncoderOptions, OpusSampleRate } from './opus-codec';
export { SILENT_LEVEL, audioLevelOfFloat, audioLevelOfInt16 } from './audio-level';
export {
  AUDIO_LEVEL_EXTENSION_URI,
  RtpParseError,
  audioLevelExtensionValue,
  emptyReceiverReport,
  isRtcpPacket,
  parseRtpPacket,
  readAudioLevel,
  serializeRtpPacket,
} from './rtp-packet';
export type { AudioLevel, RtpPacket, RtpPacketFields, RtpParseErrorReason } from './rtp-packet';
export { RtpStreamWriter } from './rtp-stream-writer';
export type { RtpStreamWriterOptions } from './rtp-stream-writer';
export { FrameClock } from './frame-clock';
export type { FrameClockOptions, FrameTick } from './frame-clock';
