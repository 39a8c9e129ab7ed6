import * as sipLibrary from 'sip';
import { SIP_HEADER_LINE, SIP_HEADER_VALUE, SIP_REQUEST_LINE, SIP_STATUS_LINE, SIP_UNSIGNED } from './sip-grammar';
import { SIP_LIMITS } from './sip-limits';
import { sipReplyableSchema, sipRequestSchema, type SipNameAddr, type SipVia } from './sip-request-schema';

/**
 * SIP messages on the wire: strict framing and header checks here, the header grammar (Via,
 * name-addr, CSeq, parameters, line folding) from the `sip` npm package, and the result checked
 * against the shared schema. The library on its own is lenient (it skips headers it cannot read
 * and silently drops what it does not like); this module decides instead, so every malformed
 * request that can be answered gets a 400 and the rest is dropped, and nothing throws.
 */

export interface SipHeaders {
  via: SipVia[];
  from: SipNameAddr;
  to: SipNameAddr;
  'call-id': string;
  cseq: { seq: number; method: string };
  contact?: '*' | SipNameAddr[];
  [name: string]: unknown;
}

export interface SipRequest {
  method: string;
  uri: string;
  version: '2.0';
  headers: SipHeaders;
  content: string;
  /** Every header's raw values by full lower-case name, in arrival order. */
  raw: Record<string, string[]>;
}

export interface SipResponse {
  status: number;
  reason: string;
  headers: SipHeaders;
  content: string;
  raw: Record<string, string[]>;
}

/** What a response needs from its request: the headers it copies. */
export type Replyable = Pick<SipRequest, 'headers'>;

export type SipParseResult =
  | { kind: 'request'; request: SipRequest }
  | { kind: 'response'; response: SipResponse }
  | { kind: 'keepalive' }
  /** Malformed, but with the headers a response copies intact: answer with `status`. */
  | { kind: 'reject'; status: 400 | 505 | 513; reason: string; request: Replyable }
  /** Not worth or not possible to answer. */
  | { kind: 'drop'; reason: string };

const COMPACT_FORMS: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
  x: 'session-expires',
  b: 'referred-by',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
};

/** Headers that may appear once only; two differing copies make a request ambiguous. */
const SINGLETONS = new Set(['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length', 'content-type', 'session-expires', 'min-se']);

export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_FORMS[lower] ?? lower;
}

export interface ParseOptions {
  /** TCP: the framer already cut the body by Content-Length, which must be present. */
  stream?: boolean;
}

/** Parses one datagram or one framed stream message. Never throws. */
export function parseSipMessage(bytes: Buffer, options: ParseOptions = {}): SipParseResult {
  try {
    return parse(bytes, options);
  } catch (error) {
    return { kind: 'drop', reason: `parser error: ${(error as Error).message}` };
  }
}

function parse(bytes: Buffer, options: ParseOptions): SipParseResult {
  // latin1 maps bytes 1:1 to characters, so lengths are byte counts and UTF-8 passes through intact.
  let text = bytes.toString('latin1');
  if (/^(\r\n)+$/.test(text)) return { kind: 'keepalive' };
  text = text.replace(/^(\r\n)+/, '');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { kind: 'drop', reason: 'no end of headers' };
  const head = text.slice(0, end);
  let body = text.slice(end + 4);
  const lines = head.split('\r\n');
  const startLine = lines[0]!;
  const isResponse = startLine.startsWith('SIP/');

  const problem = (reason: string, status: 400 | 505 | 513 = 400): SipParseResult => {
    if (isResponse) return { kind: 'drop', reason };
    const replyable = replyableHeaders(head);
    return replyable ? { kind: 'reject', status, reason, request: replyable } : { kind: 'drop', reason };
  };

  if (bytes.length > SIP_LIMITS.maxMessageBytes) return problem('Message Too Large', 513);
  if (head.length > SIP_LIMITS.maxHeaderSectionBytes) return problem('Header Section Too Large', 513);
  if (isResponse ? !SIP_STATUS_LINE.test(startLine) : !SIP_REQUEST_LINE.test(startLine)) {
    const otherVersion = /^[A-Za-z0-9.!%*_+`'~-]+ [^ \t]+ SIP\/(\d+\.\d+)$/.exec(startLine);
    if (otherVersion && otherVersion[1] !== '2.0') return problem('Version Not Supported', 505);
    return problem('Bad Request Line');
  }

  // Unfold continuation lines and check every header line on its own.
  const raw: Record<string, string[]> = Object.create(null);
  const unfolded: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.includes('\r') || line.includes('\n')) return problem('Bad Line Ending');
    if (/^[ \t]/.test(line)) {
      if (unfolded.length === 0) return problem('Bad Header Folding');
      unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    } else {
      unfolded.push(line);
    }
  }
  if (unfolded.length > SIP_LIMITS.maxHeaderCount) return problem('Too Many Headers');
  for (const line of unfolded) {
    if (line.length > SIP_LIMITS.maxHeaderLineBytes) return problem('Header Too Long');
    const match = SIP_HEADER_LINE.exec(line);
    if (!match) return problem('Malformed Header');
    const value = match[2]!.trim();
    if (!SIP_HEADER_VALUE.test(value)) return problem('Control Character In Header');
    const name = canonicalHeaderName(match[1]!);
    (raw[name] ??= []).push(value);
  }
  for (const name of SINGLETONS) {
    const values = raw[name];
    if (values && values.length > 1 && values.some((value) => value !== values[0])) return problem(`Conflicting ${name}`);
  }

  const lengthValue = raw['content-length']?.[0];
  if (lengthValue !== undefined) {
    if (!SIP_UNSIGNED.test(lengthValue)) return problem('Bad Content-Length');
    const length = Number(lengthValue);
    if (length > SIP_LIMITS.maxBodyBytes) return problem('Body Too Large', 513);
    if (length > body.length) return problem('Content-Length Exceeds Body');
    // RFC 3261 §18.3: bytes beyond Content-Length in a datagram are discarded.
    body = body.slice(0, length);
  } else if (options.stream) {
    return problem('Content-Length Required');
  }
  if (body.length > SIP_LIMITS.maxBodyBytes) return problem('Body Too Large', 513);

  const parsed = sipLibrary.parse(`${[startLine, ...unfolded].join('\r\n')}\r\n\r\n`);
  if (!parsed) return problem('Unparseable');
  parsed.headers['content-length'] = body.length;

  if (isResponse) {
    const headers = sipReplyableSchema.safeParse({ headers: parsed.headers });
    if (!headers.success || parsed.status === undefined) return { kind: 'drop', reason: 'malformed response' };
    return {
      kind: 'response',
      response: { status: parsed.status, reason: parsed.reason ?? '', headers: parsed.headers as SipHeaders, content: body, raw },
    };
  }

  const checked = sipRequestSchema.safeParse({ ...parsed, content: body });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue?.path.filter((part) => typeof part === 'string' && part !== 'headers' && part !== 'params').join(' ');
    return problem(`Invalid ${field || issue?.message || 'Request'}`);
  }
  const request: SipRequest = { ...(checked.data as Omit<SipRequest, 'raw'>), content: body, raw };
  return { kind: 'request', request };
}

/**
 * The headers a 400 copies, when they alone are well-formed; otherwise the message is dropped.
 * Only header lines that are well-formed themselves are read, the first of each singleton, under
 * a stand-in request line, so a broken line elsewhere does not stop the answer.
 */
function replyableHeaders(head: string): Replyable | undefined {
  const seen = new Set<string>();
  const lines = head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .slice(1)
    .filter((line) => {
      const match = SIP_HEADER_LINE.exec(line);
      if (!match || line.length > SIP_LIMITS.maxHeaderLineBytes) return false;
      const name = canonicalHeaderName(match[1]!);
      if (SINGLETONS.has(name) && seen.has(name)) return false;
      seen.add(name);
      return true;
    });
  const parsed = sipLibrary.parse(`OPTIONS sip:invalid SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`);
  if (!parsed) return undefined;
  const checked = sipReplyableSchema.safeParse({ headers: parsed.headers });
  return checked.success ? { headers: parsed.headers as SipHeaders } : undefined;
}

/** First value of a header, or undefined. */
export function headerValue(message: { raw: Record<string, string[]> }, name: string): string | undefined {
  return message.raw[name]?.[0];
}

/** All comma-separated tokens of a header (Supported, Require, Allow …), lower-cased. */
export function headerTokens(message: { raw: Record<string, string[]> }, name: string): string[] {
  return (message.raw[name] ?? [])
    .flatMap((value) => value.split(','))
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}

export const REASON_PHRASES: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  422: 'Session Interval Too Small',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  603: 'Decline',
};

export interface ResponseOptions {
  reason?: string;
  /** Added to To when the request's To has no tag (dialog-creating responses, errors). */
  toTag?: string;
  /** Extra headers, written as given (name: value). */
  headers?: Record<string, string>;
  content?: string;
  contentType?: string;
  /** Where the request came from, for the received and rport Via parameters (RFC 3261 §18.2.1, RFC 3581). */
  source?: { address: string; port: number };
  /** The Server header (SIP_SERVER_NAME); none when empty or left out. */
  serverName?: string;
}

/** Serializes a response to `request` (RFC 3261 §8.2.6). */
export function buildResponse(request: Replyable, status: number, options: ResponseOptions = {}): string {
  const via = request.headers.via.map((entry, index) => {
    if (index > 0 || !options.source) return entry;
    const params: Record<string, string | null> = { ...entry.params };
    if (entry.host !== options.source.address) params.received = options.source.address;
    if ('rport' in params) params.rport = String(options.source.port);
    return { ...entry, params };
  });
  const to = { ...request.headers.to, params: { ...request.headers.to.params } };
  if (options.toTag && !to.params.tag && status !== 100) to.params.tag = options.toTag;
  const headers: Record<string, unknown> = {
    via,
    from: request.headers.from,
    to,
    'call-id': request.headers['call-id'],
    cseq: request.headers.cseq,
    ...(options.serverName ? { server: options.serverName } : {}),
    ...options.headers,
  };
  if (options.content) headers['content-type'] = options.contentType ?? 'application/sdp';
  return sipLibrary.stringify({
    version: '2.0',
    status,
    reason: options.reason ?? REASON_PHRASES[status] ?? 'Unknown',
    headers,
    content: options.content ?? '',
  });
}

export interface RequestOptions {
  method: string;
  uri: string;
  via: { transport: 'UDP' | 'TCP'; host: string; port: number; branch: string };
  from: SipNameAddr;
  to: SipNameAddr;
  callId: string;
  cseq: number;
  route?: string[];
  headers?: Record<string, string>;
  /** The User-Agent header (SIP_SERVER_NAME); none when empty or left out. */
  serverName?: string;
}

/** Serializes a request the gateway sends inside a dialog (only BYE: it never starts a call). */
export function buildRequest(options: RequestOptions): string {
  const headers: Record<string, unknown> = {
    via: [
      { version: '2.0', protocol: options.via.transport, host: options.via.host, port: options.via.port, params: { branch: options.via.branch, rport: null } },
    ],
    'max-forwards': '70',
    from: options.from,
    to: options.to,
    'call-id': options.callId,
    cseq: { seq: options.cseq, method: options.method },
    ...(options.serverName ? { 'user-agent': options.serverName } : {}),
    ...options.headers,
  };
  if (options.route?.length) headers.route = options.route.join(', ');
  return sipLibrary.stringify({ method: options.method, uri: options.uri, version: '2.0', headers, content: '' });
}

/** The URI inside a name-addr or addr-spec header value (Contact, Record-Route entries). */
export function uriOf(nameAddr: SipNameAddr): string {
  return nameAddr.uri;
}

/** The user part of a sip: or sips: URI, percent-decoded (`sip:+4930123@host` → `+4930123`). */
export function userPartOf(uri: string): string | undefined {
  // A tel: URI (RFC 3966) is all user: its number, without parameters (;isub=, ;phone-context=).
  // User parameters (`;isub=12`) may stand between the user and the `@`.
  const user = /^sips?:([^@;?]+)(?:;[^@?]*)?@/i.exec(uri)?.[1] ?? /^tel:([^;?]+)/i.exec(uri)?.[1];
  if (user === undefined) return undefined;
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
