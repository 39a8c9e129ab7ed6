import { describe, expect, it } from 'vitest';
import { summarizeTransportStats, type RtpStatsEntry } from './transport-stats';

describe('summarizeTransportStats', () => {
  it('sums inbound bytes of the receive transport and outbound bytes of the send transport by kind', () => {
    const recv: RtpStatsEntry[] = [
      { type: 'inbound-rtp', kind: 'audio', bytesReceived: 1000 },
      { type: 'inbound-rtp', kind: 'audio', bytesReceived: 500 },
      { type: 'inbound-rtp', kind: 'video', bytesReceived: 20_000 },
      { type: 'candidate-pair', bytesReceived: 99_999 },
      { type: 'transport', bytesReceived: 99_999 },
    ];
    const send: RtpStatsEntry[] = [
      { type: 'outbound-rtp', kind: 'audio', bytesSent: 700 },
      // three simulcast layers
      { type: 'outbound-rtp', kind: 'video', bytesSent: 1_000 },
      { type: 'outbound-rtp', kind: 'video', bytesSent: 3_000 },
      { type: 'outbound-rtp', kind: 'video', bytesSent: 9_000 },
      { type: 'remote-inbound-rtp', kind: 'video', bytesSent: 99_999 },
    ];
    expect(summarizeTransportStats(send, recv, 3)).toEqual({
      inboundAudioBytes: 1500,
      inboundVideoBytes: 20_000,
      outboundAudioBytes: 700,
      outboundVideoBytes: 13_000,
      consumers: 3,
    });
  });

  it('reads the older mediaType name and ignores missing counters', () => {
    const recv: RtpStatsEntry[] = [
      { type: 'inbound-rtp', mediaType: 'audio', bytesReceived: 10 },
      { type: 'inbound-rtp', kind: 'video' },
    ];
    expect(summarizeTransportStats(null, recv, 0)).toMatchObject({ inboundAudioBytes: 10, inboundVideoBytes: 0 });
  });

  it('accepts the values of an RTCStatsReport-like map', () => {
    const report = new Map<string, RtpStatsEntry>([['x', { type: 'outbound-rtp', kind: 'audio', bytesSent: 42 }]]);
    expect(summarizeTransportStats(report.values(), null, 1).outboundAudioBytes).toBe(42);
  });

  it('is all zero without transports', () => {
    expect(summarizeTransportStats(null, null, 0)).toEqual({
      inboundAudioBytes: 0,
      inboundVideoBytes: 0,
      outboundAudioBytes: 0,
      outboundVideoBytes: 0,
      consumers: 0,
    });
  });
});
