import { parse as parseSdpText } from 'sdp-transform';
import { SDP_LINE, SDP_MAX_BYTES, sdpSessionSchema, type SdpMediaShape, type SdpSessionShape } from './sdp-schema';

/**
 * SDP offer/answer (RFC 3264) for one audio stream of plain RTP: G.711 µ-law and A-law at 8 kHz,
 * G.722 and Opus when the caller offers them and the gateway enables them, and RFC 4733
 * telephone-events for DTMF. Pure functions: no sockets, no clocks.
 */

export type AudioCodecName = 'PCMU' | 'PCMA' | 'G722' | 'opus';
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

interface CodecSpec {
  /** The name in a=rtpmap, compared case-insensitively. */
  encodingName: string;
  /** RTP clock rate (G.722 keeps 8000 for historical reasons, RFC 3551 §4.5.2). */
  clockRate: number;
  channels: number;
  staticPayloadType?: number;
  /** The telephone-event clock must match the audio clock (RFC 4733 §2.3.1). */
  fmtp?: string;
}

export const AUDIO_CODECS: Record<AudioCodecName, CodecSpec> = {
  PCMU: { encodingName: 'PCMU', clockRate: 8000, channels: 1, staticPayloadType: 0 },
  PCMA: { encodingName: 'PCMA', clockRate: 8000, channels: 1, staticPayloadType: 8 },
  G722: { encodingName: 'G722', clockRate: 8000, channels: 1, staticPayloadType: 9 },
  opus: { encodingName: 'opus', clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1;stereo=0;sprop-stereo=0' },
};

/** What the gateway has to offer for one call. */
export interface LocalMedia {
  /** IPv4 address announced in o= and c=: where callers send RTP. */
  address: string;
  port: number;
  /** Codecs the gateway can handle for this call, best first; the answer picks the first the caller offers. */
  codecs: readonly AudioCodecName[];
  /** o= session id and version (RFC 4566 §5.2): the same id for the whole call, the version +1 on every change. */
  sessionId: string;
  sessionVersion: number;
  ptime?: number;
}

export interface NegotiatedAudio {
  codec: AudioCodecName;
  payloadType: number;
  clockRate: number;
  /** Null when the caller offered no telephone-event (DTMF then only by SIP INFO). */
  telephoneEventPayloadType: number | null;
  /** Where to send RTP until the first packet from the caller shows the real address (symmetric RTP). */
  remoteAddress: string;
  remotePort: number;
  /** The direction from the gateway's side. */
  direction: MediaDirection;
  /** The caller put the call on hold (sendonly, inactive, or the old c=0.0.0.0 form). */
  onHold: boolean;
  ptime: number;
}

export type SdpFailure = 'malformed' | 'no-audio' | 'unsupported-transport' | 'no-common-codec';

export type SdpNegotiation = { ok: true; answer: string; audio: NegotiatedAudio } | { ok: false; reason: SdpFailure; detail: string };

export type ParsedSdp = { ok: true; session: SdpSessionShape } | { ok: false; detail: string };

/** Checks an SDP body line by line, then its parsed shape. Never throws. */
export function parseSdp(text: string): ParsedSdp {
  if (text.length === 0) return { ok: false, detail: 'empty' };
  if (text.length > SDP_MAX_BYTES) return { ok: false, detail: 'too large' };
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') return { ok: false, detail: 'first line must be v=0' };
  for (const line of lines) {
    if (!SDP_LINE.test(line)) return { ok: false, detail: `bad line ${JSON.stringify(line.slice(0, 40))}` };
  }
  for (const required of ['o=', 's=', 't=', 'm=']) {
    if (!lines.some((line) => line.startsWith(required))) return { ok: false, detail: `${required} missing` };
  }
  if (lines.filter((line) => line.startsWith('o=')).length !== 1) return { ok: false, detail: 'one o= line expected' };
  try {
    const checked = sdpSessionSchema.safeParse(parseSdpText(text));
    if (!checked.success) return { ok: false, detail: `invalid ${checked.error.issues[0]?.path.join('.') ?? 'sdp'}` };
    return { ok: true, session: checked.data };
  } catch {
    return { ok: false, detail: 'unparseable' };
  }
}

function payloadList(media: SdpMediaShape): number[] {
  return String(media.payloads ?? '')
    .split(' ')
    .filter((value) => /^\d{1,3}$/.test(value))
    .map(Number)
    .filter((value) => value <= 127);
}

interface OfferedFormat {
  payloadType: number;
  name: string;
  clockRate: number;
  channels: number;
}

function offeredFormats(media: SdpMediaShape): OfferedFormat[] {
  return payloadList(media).flatMap((payloadType): OfferedFormat[] => {
    const rtpmap = media.rtp.find((entry) => entry.payload === payloadType);
    if (rtpmap) {
      return [{ payloadType, name: rtpmap.codec.toLowerCase(), clockRate: rtpmap.rate ?? 8000, channels: Number(rtpmap.encoding ?? 1) }];
    }
    const known = Object.values(AUDIO_CODECS).find((codec) => codec.staticPayloadType === payloadType);
    return known ? [{ payloadType, name: known.encodingName.toLowerCase(), clockRate: known.clockRate, channels: 1 }] : [];
  });
}

function matchCodec(formats: OfferedFormat[], codec: AudioCodecName): OfferedFormat | undefined {
  const spec = AUDIO_CODECS[codec];
  return formats.find(
    (format) => format.name === spec.encodingName.toLowerCase() && format.clockRate === spec.clockRate && (codec !== 'opus' || format.channels === 2),
  );
}

const ANSWER_DIRECTION: Record<MediaDirection, MediaDirection> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

interface AudioChoice {
  index: number;
  codec: AudioCodecName;
  format: OfferedFormat;
  telephoneEvent: OfferedFormat | undefined;
  remoteAddress: string;
  remotePort: number;
  remoteDirection: MediaDirection;
  ptime: number;
}

function chooseAudio(session: SdpSessionShape, local: LocalMedia): AudioChoice | { reason: SdpFailure; detail: string } {
  let failure: { reason: SdpFailure; detail: string } = { reason: 'no-audio', detail: 'no audio stream offered' };
  for (const [index, media] of session.media.entries()) {
    if (media.type !== 'audio' || media.port === 0) continue;
    if (media.protocol !== 'RTP/AVP') {
      failure = { reason: 'unsupported-transport', detail: `${media.protocol} not supported (plain RTP/AVP only)` };
      continue;
    }
    const connection = media.connection ?? session.connection;
    if (!connection) return { reason: 'malformed', detail: 'no c= line for the audio stream' };
    if (connection.version !== 4) {
      failure = { reason: 'unsupported-transport', detail: 'IPv6 media not supported' };
      continue;
    }
    const formats = offeredFormats(media);
    const events = formats.filter((entry) => entry.name === 'telephone-event');
    const candidates = local.codecs.flatMap((codec) => {
      const format = matchCodec(formats, codec);
      if (!format) return [];
      return [{ codec, format, telephoneEvent: events.find((entry) => entry.clockRate === format.clockRate) }];
    });
    // A caller that can key RFC 4733 events only at another codec's clock gets that codec: the
    // menu needs the keys more than the caller needs wideband (SIP INFO is the only other way).
    // A caller whose events are at no offered codec's clock (baresip with Opus alone offers
    // telephone-event/8000 beside opus/48000) gets them anyway, at their own clock: the receiver
    // reads a press from its timestamp and needs no clock rate, and an answer without events
    // would leave the caller no key for the menu at all.
    const crossClock = events[0] && candidates[0] ? { ...candidates[0], telephoneEvent: events[0] } : undefined;
    const chosen = candidates.find((candidate) => candidate.telephoneEvent) ?? crossClock ?? candidates[0];
    if (chosen) {
      const { codec, format, telephoneEvent } = chosen;
      return {
        index,
        codec,
        format,
        telephoneEvent,
        remoteAddress: connection.ip,
        remotePort: media.port,
        remoteDirection: media.direction ?? session.direction ?? 'sendrecv',
        ptime: media.ptime && media.ptime >= 10 && media.ptime <= 60 ? Math.round(media.ptime / 10) * 10 : (local.ptime ?? 20),
      };
    }
    failure = { reason: 'no-common-codec', detail: `offered ${formats.map((format) => format.name).join(', ') || 'nothing'}` };
  }
  return failure;
}

function sessionLines(local: LocalMedia): string[] {
  return ['v=0', `o=- ${local.sessionId} ${local.sessionVersion} IN IP4 ${local.address}`, 's=-', `c=IN IP4 ${local.address}`, 't=0 0'];
}

function audioLines(
  port: number,
  codec: AudioCodecName,
  payloadType: number,
  telephoneEvent: OfferedFormat | undefined,
  ptime: number,
  direction: MediaDirection,
): string[] {
  const spec = AUDIO_CODECS[codec];
  const lines = [
    `m=audio ${port} RTP/AVP ${payloadType}${telephoneEvent ? ` ${telephoneEvent.payloadType}` : ''}`,
    `a=rtpmap:${payloadType} ${spec.encodingName}/${spec.clockRate}${spec.channels > 1 ? `/${spec.channels}` : ''}`,
  ];
  if (spec.fmtp) lines.push(`a=fmtp:${payloadType} ${spec.fmtp}`);
  if (telephoneEvent) {
    // At the clock the caller offered them (the codec's, but for the cross-clock case above).
    lines.push(`a=rtpmap:${telephoneEvent.payloadType} telephone-event/${telephoneEvent.clockRate}`, `a=fmtp:${telephoneEvent.payloadType} 0-15`);
  }
  lines.push(`a=ptime:${ptime}`, `a=${direction}`);
  return lines;
}

/** Answers an offer (an INVITE's or re-INVITE's body). */
export function negotiateSdp(offer: string, local: LocalMedia): SdpNegotiation {
  const parsed = parseSdp(offer);
  if (!parsed.ok) return { ok: false, reason: 'malformed', detail: parsed.detail };
  const session = parsed.session;
  const choice = chooseAudio(session, local);
  if ('reason' in choice) return { ok: false, ...choice };

  const onHold = choice.remoteDirection === 'sendonly' || choice.remoteDirection === 'inactive' || choice.remoteAddress === '0.0.0.0';
  let direction = ANSWER_DIRECTION[choice.remoteDirection];
  // RFC 2543 hold: c=0.0.0.0 with sendrecv means "do not send to me".
  if (choice.remoteAddress === '0.0.0.0' && direction === 'sendrecv') direction = 'recvonly';
  const telephoneEventPayloadType = choice.telephoneEvent?.payloadType ?? null;

  const lines = sessionLines(local);
  session.media.forEach((media, index) => {
    if (index === choice.index) {
      lines.push(...audioLines(local.port, choice.codec, choice.format.payloadType, choice.telephoneEvent, choice.ptime, direction));
    } else {
      // Every other stream is declined with port 0, keeping the offer's m-line order (RFC 3264 §6).
      const formats = String(media.payloads ?? '').trim() || '0';
      lines.push(`m=${media.type} 0 ${media.protocol} ${formats}`);
    }
  });
  return {
    ok: true,
    answer: `${lines.join('\r\n')}\r\n`,
    audio: {
      codec: choice.codec,
      payloadType: choice.format.payloadType,
      clockRate: choice.format.clockRate,
      telephoneEventPayloadType,
      remoteAddress: choice.remoteAddress,
      remotePort: choice.remotePort,
      direction,
      onHold,
      ptime: choice.ptime,
    },
  };
}

/** Payload types the gateway uses in its own offers (INVITE without SDP: the offer goes in the 200 OK). */
const OFFER_PAYLOAD_TYPES: Record<AudioCodecName, number> = { PCMU: 0, PCMA: 8, G722: 9, opus: 111 };
const OFFER_TELEPHONE_EVENT: Record<number, number> = { 8000: 101, 48000: 102 };

export function createSdpOffer(local: LocalMedia): string {
  const payloadTypes = local.codecs.map((codec) => OFFER_PAYLOAD_TYPES[codec]);
  const clockRates = [...new Set(local.codecs.map((codec) => AUDIO_CODECS[codec].clockRate))];
  const events = clockRates.map((rate) => OFFER_TELEPHONE_EVENT[rate]!);
  const lines = [...sessionLines(local), `m=audio ${local.port} RTP/AVP ${[...payloadTypes, ...events].join(' ')}`];
  for (const codec of local.codecs) {
    const spec = AUDIO_CODECS[codec];
    const payloadType = OFFER_PAYLOAD_TYPES[codec];
    lines.push(`a=rtpmap:${payloadType} ${spec.encodingName}/${spec.clockRate}${spec.channels > 1 ? `/${spec.channels}` : ''}`);
    if (spec.fmtp) lines.push(`a=fmtp:${payloadType} ${spec.fmtp}`);
  }
  for (const rate of clockRates) {
    lines.push(`a=rtpmap:${OFFER_TELEPHONE_EVENT[rate]} telephone-event/${rate}`, `a=fmtp:${OFFER_TELEPHONE_EVENT[rate]} 0-15`);
  }
  lines.push(`a=ptime:${local.ptime ?? 20}`, 'a=sendrecv');
  return `${lines.join('\r\n')}\r\n`;
}

/** Reads the caller's answer (in the ACK) to an offer made with createSdpOffer. */
export function acceptSdpAnswer(answer: string, local: LocalMedia): { ok: true; audio: NegotiatedAudio } | { ok: false; reason: SdpFailure; detail: string } {
  const parsed = parseSdp(answer);
  if (!parsed.ok) return { ok: false, reason: 'malformed', detail: parsed.detail };
  const choice = chooseAudio(parsed.session, local);
  if ('reason' in choice) return { ok: false, ...choice };
  const remoteDirection = choice.remoteDirection;
  return {
    ok: true,
    audio: {
      codec: choice.codec,
      payloadType: choice.format.payloadType,
      clockRate: choice.format.clockRate,
      telephoneEventPayloadType: choice.telephoneEvent?.payloadType ?? null,
      remoteAddress: choice.remoteAddress,
      remotePort: choice.remotePort,
      direction: ANSWER_DIRECTION[remoteDirection],
      onHold: remoteDirection === 'sendonly' || remoteDirection === 'inactive' || choice.remoteAddress === '0.0.0.0',
      ptime: choice.ptime,
    },
  };
}
