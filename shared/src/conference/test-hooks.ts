/**
 * What the conference page answers at `window.__konferenz.getStats()`: bytes moved by its
 * transports, summed from RTCStats. The end-to-end tests and benchmarks read it.
 */
export interface ConferenceStats {
  inboundAudioBytes: number;
  inboundVideoBytes: number;
  outboundAudioBytes: number;
  outboundVideoBytes: number;
  consumers: number;
}
