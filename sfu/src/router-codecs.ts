import type { types } from 'mediasoup';

/**
 * The codecs every room's router offers. mediasoup derives the router's
 * RtpCapabilities (and so what browsers negotiate) from this list, in order:
 * browsers pick the first codec of a kind they support.
 */
export const ROUTER_MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    // The client turns on DTX and in-band FEC when producing; offering them in
    // the router's parameters keeps them on for what consumers receive too.
    parameters: { useinbandfec: 1, usedtx: 1 },
  },
  // G.711 µ-law: what SIP phones speak without transcoding (phone bridge).
  { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  // Constrained baseline with packetization-mode 1, the H264 profile every
  // WebRTC browser decodes: for clients that cannot send VP8.
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
