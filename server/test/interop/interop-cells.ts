/**
 * The interop matrix: which real SIP clients call the product in which way. Every dimension's
 * values are listed once here; a new codec is one entry in CODECS (and the cells that use it).
 */
export const CLIENTS = ['sipp', 'baresip', 'linphonec'] as const;
export const TRANSPORTS = ['udp', 'tcp'] as const;
export const CODECS = ['PCMU', 'PCMA', 'opus'] as const;
export const DTMF_MODES = ['rfc4733', 'sip-info'] as const;
export const ROUTES = ['direct', 'via-proxy'] as const;

export type InteropClientName = (typeof CLIENTS)[number];
export type Transport = (typeof TRANSPORTS)[number];
export type Codec = (typeof CODECS)[number];
export type DtmfMode = (typeof DTMF_MODES)[number];
export type Route = (typeof ROUTES)[number];

export interface InteropCell {
  client: InteropClientName;
  transport: Transport;
  codec: Codec;
  dtmf: DtmfMode;
  route: Route;
}

/**
 * A covering set, not the full product (3 × 2 × 3 × 2 × 2 = 72 cells at ~20 s each would take
 * 25 minutes on two cores): every codec, DTMF mode and route at least once, each client through
 * the proxy at least once, sipp and baresip with each transport. What a client cannot do here is
 * left out: sipp plays G.711 only (no Opus encoder); baresip 1.0 sends its keys as RFC 4733
 * only; linphonec opens no TCP port (only `ports sip`, UDP).
 */
export const CELLS: InteropCell[] = [
  { client: 'sipp', transport: 'udp', codec: 'PCMU', dtmf: 'rfc4733', route: 'direct' },
  { client: 'sipp', transport: 'tcp', codec: 'PCMA', dtmf: 'sip-info', route: 'via-proxy' },
  { client: 'baresip', transport: 'udp', codec: 'opus', dtmf: 'rfc4733', route: 'via-proxy' },
  { client: 'baresip', transport: 'tcp', codec: 'PCMA', dtmf: 'rfc4733', route: 'direct' },
  { client: 'linphonec', transport: 'udp', codec: 'PCMA', dtmf: 'sip-info', route: 'direct' },
  { client: 'linphonec', transport: 'udp', codec: 'opus', dtmf: 'rfc4733', route: 'via-proxy' },
];

export const cellName = (cell: InteropCell): string => `${cell.client} ${cell.transport} ${cell.codec} ${cell.dtmf} ${cell.route}`;
