import type { ConferenceStats } from '@konferenz/shared';

export type { ConferenceStats };

/** The fields of an RTCStats entry read here. */
export interface RtpStatsEntry {
  type: string;
  kind?: string;
  /** Older name of `kind`, still sent by some browsers. */
  mediaType?: string;
  bytesReceived?: number;
  bytesSent?: number;
}

export const EMPTY_STATS: ConferenceStats = {
  inboundAudioBytes: 0,
  inboundVideoBytes: 0,
  outboundAudioBytes: 0,
  outboundVideoBytes: 0,
  consumers: 0,
};

const kindOf = (entry: RtpStatsEntry) => entry.kind ?? entry.mediaType;
const bytes = (value: number | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Sums inbound-rtp bytes of the receive transport's report and outbound-rtp bytes of the send
 * transport's (each simulcast layer is one outbound-rtp entry), by media kind.
 */
export function summarizeTransportStats(send: Iterable<RtpStatsEntry> | null, recv: Iterable<RtpStatsEntry> | null, consumers: number): ConferenceStats {
  const stats = { ...EMPTY_STATS, consumers };
  for (const entry of recv ?? []) {
    if (entry.type !== 'inbound-rtp') continue;
    if (kindOf(entry) === 'audio') stats.inboundAudioBytes += bytes(entry.bytesReceived);
    else if (kindOf(entry) === 'video') stats.inboundVideoBytes += bytes(entry.bytesReceived);
  }
  for (const entry of send ?? []) {
    if (entry.type !== 'outbound-rtp') continue;
    if (kindOf(entry) === 'audio') stats.outboundAudioBytes += bytes(entry.bytesSent);
    else if (kindOf(entry) === 'video') stats.outboundVideoBytes += bytes(entry.bytesSent);
  }
  return stats;
}
