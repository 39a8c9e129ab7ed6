// bench:sfu's WebRTC listeners, seen from the bench: each is a werift peer (in
// webrtc-listener-process.mjs) that receives from a mediasoup WebRtcTransport over ICE-lite, DTLS
// and SRTP, like a browser. This side turns the transport and its consumers into the SDP offer a
// mediasoup-client would build, and the peer's answer into the DTLS parameters to connect with.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';

/**
 * The receive capabilities a WebRTC listener declares: Opus and VP8 without RTX, and only the
 * MID header extension, so no bandwidth estimation (no transport-cc, no REMB): a video consumer
 * gets the layer its tile asks for, as a plain one does.
 */
export function listenerRtpCapabilities(routerCapabilities) {
  const codecs = routerCapabilities.codecs
    .filter(({ mimeType }) => ['audio/opus', 'video/vp8'].includes(mimeType.toLowerCase()))
    .map((codec) => ({
      ...codec,
      rtcpFeedback: (codec.rtcpFeedback ?? []).filter(({ type }) => type === 'nack' || type === 'ccm'),
    }));
  const headerExtensions = routerCapabilities.headerExtensions.filter(({ uri }) => uri === MID_URI);
  return { codecs, headerExtensions };
}

/** The SDP offer for a receive transport and its consumers (`{kind, rtpParameters}` each, in order). */
export function offerSdp(transport, consumers) {
  const fingerprint = transport.dtlsParameters.fingerprints.find(({ algorithm }) => algorithm === 'sha-256');
  const mids = consumers.map((consumer, i) => consumer.rtpParameters.mid ?? String(i));
  const lines = [
    'v=0',
    `o=- ${Date.now()} 1 IN IP4 0.0.0.0`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mids.join(' ')}`,
    'a=msid-semantic: WMS *',
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
  ];
  const candidates = transport.iceCandidates.filter(({ protocol }) => protocol === 'udp');
  consumers.forEach(({ kind, rtpParameters }, i) => {
    const codec = rtpParameters.codecs[0];
    const { payloadType } = codec;
    lines.push(`m=${kind} ${candidates[0].port} UDP/TLS/RTP/SAVPF ${payloadType}`, 'c=IN IP4 127.0.0.1', `a=mid:${mids[i]}`, 'a=sendonly');
    lines.push(`a=ice-ufrag:${transport.iceParameters.usernameFragment}`, `a=ice-pwd:${transport.iceParameters.password}`);
    for (const candidate of candidates) {
      lines.push(`a=candidate:${candidate.foundation} 1 udp ${candidate.priority} ${candidate.address ?? candidate.ip} ${candidate.port} typ host`);
    }
    lines.push('a=end-of-candidates', 'a=setup:actpass', 'a=rtcp-mux', 'a=rtcp-rsize');
    const [, subtype] = codec.mimeType.split('/');
    lines.push(`a=rtpmap:${payloadType} ${subtype}/${codec.clockRate}${codec.channels > 1 ? `/${codec.channels}` : ''}`);
    const parameters = Object.entries(codec.parameters ?? {}).map(([key, value]) => `${key}=${value}`);
    if (parameters.length) lines.push(`a=fmtp:${payloadType} ${parameters.join(';')}`);
    for (const { type, parameter } of codec.rtcpFeedback ?? []) lines.push(`a=rtcp-fb:${payloadType} ${type}${parameter ? ` ${parameter}` : ''}`);
    for (const { uri, id } of rtpParameters.headerExtensions ?? []) lines.push(`a=extmap:${id} ${uri}`);
    const { ssrc } = rtpParameters.encodings[0];
    const cname = rtpParameters.rtcp?.cname ?? 'bench';
    lines.push(`a=ssrc:${ssrc} cname:${cname}`, `a=ssrc:${ssrc} msid:bench ${kind}-${i}`, `a=msid:bench ${kind}-${i}`);
  });
  return `${lines.join('\r\n')}\r\n`;
}

/** The DTLS parameters of a peer's answer: its certificate's fingerprint, and its role from a=setup. */
export function answerDtlsParameters(sdp) {
  const [, algorithm, value] = /^a=fingerprint:(\S+) (\S+)/m.exec(sdp) ?? [];
  const [, setup] = /^a=setup:(\S+)/m.exec(sdp) ?? [];
  if (!algorithm) throw new Error(`no fingerprint in the answer:\n${sdp}`);
  return { role: setup === 'passive' ? 'server' : 'client', fingerprints: [{ algorithm, value }] };
}

/**
 * The werift process and its peers. `add(id, transport, consumers)` resolves with the DTLS
 * parameters to connect the transport with; `connected(id)` once the peer's DTLS is up.
 */
export class WebRtcListeners {
  #child;
  #pending = new Map();
  #connected = new Map();
  #states = new Map();
  #reportWaiters = [];

  constructor(log) {
    this.#child = fork(fileURLToPath(new URL('./webrtc-listener-process.mjs', import.meta.url)), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message) => {
      if (message.type === 'answer') this.#pending.get(message.id)?.resolve(message.answer);
      if (message.type === 'error') this.#pending.get(message.id)?.reject(new Error(message.message));
      if (message.type === 'state') {
        this.#states.set(message.id, message.state);
        if (message.state === 'connected') this.#connected.get(message.id)?.();
        if (message.state === 'failed') log(`WebRTC listener ${message.id}: connection failed`);
      }
      if (message.type === 'report') this.#reportWaiters.shift()?.(message);
    });
  }

  get pid() {
    return this.#child.pid;
  }

  async add(id, transport, consumers) {
    const answer = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#child.send({ type: 'answer', id, offer: offerSdp(transport, consumers) });
    try {
      return answerDtlsParameters(await answer);
    } finally {
      this.#pending.delete(id);
    }
  }

  /** Resolves once the peer's connection is up (ICE and DTLS); rejects after `timeoutMs`. */
  connected(id, timeoutMs = 10_000) {
    if (this.#states.get(id) === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`WebRTC listener ${id} did not connect within ${timeoutMs} ms (${this.#states.get(id) ?? 'new'})`)),
        timeoutMs,
      );
      this.#connected.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Counting is by send time, as for the plain listeners: packets the speaker sent in [from, to), video of `videoLayer`. */
  count(from, to, videoLayer) {
    this.#child.send({ type: 'count', from: String(from), to: String(to), videoLayer });
  }

  /** {peers: [{id, state, received: {audio, video}, offLayer}], latenciesMs: {audio, video}} of the last window. */
  report() {
    return new Promise((resolve) => {
      this.#reportWaiters.push(resolve);
      this.#child.send({ type: 'report' });
    });
  }

  close() {
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', resolve);
      this.#child.send({ type: 'close' });
      setTimeout(() => this.#child.kill('SIGKILL'), 5000).unref();
    });
  }
}
