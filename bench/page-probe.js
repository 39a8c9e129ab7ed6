// Init script of every measured page in `npm run bench:join` (the product's join page and the
// baseline page alike): it starts nothing by itself, it only watches and timestamps, in the page,
// on the page's own clock (performance.now()).
//
// window.__bench.t0           the product: the click on the final join button (the one that sends
//                             the PIN); the baseline: right before its join POST (it calls start()).
// window.__bench.firstAudioMs arrival of the first inbound audio packet, in ms after t0: found by
//                             polling getStats of every RTCPeerConnection every POLL_MS once an
//                             audio track has arrived (inbound-rtp packetsReceived > 0), and dated
//                             back with the stats' own timestamps (see found()).
// window.__bench.marks        first occurrence after t0 of: the join POST and its answer, the
//                             WebSocket and its open, each Socket.IO request sent and acknowledged,
//                             each server event received, getUserMedia, the first RTCPeerConnection,
//                             the audio 'track' event, ICE/DTLS connected. Where the time goes.
(() => {
  const POLL_MS = 10;
  const OPUS_PACKET_MS = 20;
  const now = () => performance.now();

  const bench = {
    t0: null,
    firstAudioMs: null,
    marks: {},
    gumCalls: 0,
    gumDone: 0,
    statsPolls: 0,
    start() {
      if (bench.t0 === null) bench.t0 = now();
    },
    mark(name, at = now()) {
      if (bench.t0 === null || name in bench.marks) return;
      bench.marks[name] = Math.round((at - bench.t0) * 10) / 10;
    },
  };
  Object.defineProperty(window, '__bench', { value: bench, enumerable: false });

  // The product's clock: the click on "join" after the device check. A capturing listener on the
  // window runs before the button's own handler.
  window.addEventListener(
    'click',
    (event) => {
      const target = event.target instanceof Element ? event.target.closest('[data-testid="prejoin-join"]') : null;
      if (target && !target.disabled) bench.start();
    },
    true,
  );

  // The app's own files fetched after t0 (the conference page's code, loaded on navigation):
  // 'appFilesLoaded' is when the last of them had arrived.
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (bench.t0 === null || entry.startTime < bench.t0 || new URL(entry.name).pathname.startsWith('/api/')) continue;
        bench.appFiles = (bench.appFiles ?? 0) + 1;
        const end = Math.round((entry.responseEnd - bench.t0) * 10) / 10;
        if (!(bench.marks.appFilesLoaded >= end)) bench.marks.appFilesLoaded = end;
      }
    }).observe({ type: 'resource', buffered: false });
  } catch {
    // no resource timing
  }

  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : (input?.url ?? '');
    const isJoin = /\/api\/conference\/join\b/.test(url);
    if (isJoin) bench.mark('joinPostSent');
    const pending = originalFetch.call(this, input, init);
    if (isJoin)
      pending.then(
        () => bench.mark('joinPostAnswered'),
        () => undefined,
      );
    return pending;
  };

  // Socket.IO over a WebSocket: "42/conference,7[\"media:createTransport\",...]" out,
  // "43/conference,7[...]" (the acknowledgement) and "42/conference,[\"media:newConsumer\",...]" in.
  const OriginalWebSocket = window.WebSocket;
  const EVENT = /^42(?:\/[^,]*,)?(\d*)\["([a-z]+:[A-Za-z]+)"/;
  const ACK = /^43(?:\/[^,]*,)?(\d+)\[/;
  class ProbedWebSocket extends OriginalWebSocket {
    #pending = new Map();
    constructor(...args) {
      super(...args);
      bench.mark('wsCreated');
      this.addEventListener('open', () => bench.mark('wsOpen'));
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        const at = now();
        const ack = ACK.exec(event.data);
        if (ack) {
          const name = this.#pending.get(ack[1]);
          if (name) bench.mark(`ack:${name}`, at);
          return;
        }
        const received = EVENT.exec(event.data);
        if (!received) return;
        if (received[2] === 'media:newConsumer') {
          const kind = /"kind":"(audio|video)"/.exec(event.data)?.[1] ?? 'unknown';
          bench.mark(`recv:media:newConsumer:${kind}`, at);
        } else bench.mark(`recv:${received[2]}`, at);
      });
    }
    send(data) {
      if (typeof data === 'string') {
        const sent = EVENT.exec(data);
        if (sent) {
          if (sent[1]) this.#pending.set(sent[1], sent[2]);
          bench.mark(`send:${sent[2]}`);
        }
      }
      return super.send(data);
    }
  }
  window.WebSocket = ProbedWebSocket;

  const devices = navigator.mediaDevices;
  if (devices?.getUserMedia) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) => {
      bench.gumCalls += 1;
      bench.mark('getUserMedia');
      return getUserMedia(constraints).then((stream) => {
        bench.gumDone += 1;
        bench.mark('getUserMediaDone');
        return stream;
      });
    };
  }

  const OriginalPeerConnection = window.RTCPeerConnection;
  const peerConnections = [];
  let polling = false;

  /**
   * Chromium answers getStats from a cache for 50 ms, so polling alone sees a packet up to ~50 ms
   * late. The stats themselves say more, on the same clock as performance.timeOrigin + now():
   * - the first packet came after the snapshot (report timestamp) of the last report that had
   *   no audio packets yet (`after`), and no later than lastPacketReceivedTimestamp (`last`);
   * - with Opus' steady 20 ms packets it came (packetsReceived - 1) * 20 ms before `last`.
   * The result is that estimate, kept within (after, last]; when it had to be moved (the packets
   * came in a burst, e.g. after a stall) `estimateClamped` says so. The poll's own time is kept
   * as `firstAudioDetected`.
   */
  let emptySnapshotAt = null;
  const receivingAudio = new WeakSet();

  function snapshotTime(report) {
    for (const entry of report.values()) if (typeof entry.timestamp === 'number') return entry.timestamp - performance.timeOrigin;
    return null;
  }

  function found(entry, detectedAt) {
    bench.mark('firstAudioDetected', detectedAt);
    bench.packetsAtDetection = entry.packetsReceived;
    let firstAt = detectedAt;
    if (typeof entry.lastPacketReceivedTimestamp === 'number' && entry.lastPacketReceivedTimestamp > 0) {
      const last = Math.min(entry.lastPacketReceivedTimestamp - performance.timeOrigin, detectedAt);
      const after = Math.max(emptySnapshotAt ?? bench.t0, bench.t0);
      const estimate = last - (entry.packetsReceived - 1) * OPUS_PACKET_MS;
      firstAt = Math.min(Math.max(estimate, after), last);
      bench.windowMs = Math.max(0, last - after);
      if (firstAt !== estimate) bench.estimateClamped = true;
    }
    bench.mark('firstAudioPacket', firstAt);
    bench.firstAudioMs = bench.marks.firstAudioPacket;
  }

  async function poll() {
    if (bench.firstAudioMs !== null) return;
    bench.statsPolls += 1;
    for (const pc of peerConnections) {
      if (pc.connectionState === 'closed') continue;
      let report;
      try {
        report = await pc.getStats();
      } catch {
        continue;
      }
      let audio = null;
      for (const entry of report.values()) {
        if (entry.type === 'inbound-rtp' && (entry.kind ?? entry.mediaType) === 'audio' && entry.packetsReceived > 0) audio = entry;
      }
      if (audio) {
        found(audio, now());
        return;
      }
      // No audio packet yet in this snapshot of a connection that received an audio track.
      if (receivingAudio.has(pc)) {
        const at = snapshotTime(report);
        if (at !== null && (emptySnapshotAt === null || at > emptySnapshotAt)) emptySnapshotAt = at;
      }
    }
    setTimeout(poll, POLL_MS);
  }

  class ProbedPeerConnection extends OriginalPeerConnection {
    constructor(...args) {
      super(...args);
      bench.mark('pcCreated');
      peerConnections.push(this);
      this.addEventListener('track', (event) => {
        if (event.track.kind !== 'audio') return;
        receivingAudio.add(this);
        bench.mark('audioTrack');
        if (!polling && bench.t0 !== null) {
          polling = true;
          void poll();
        }
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') bench.mark('pcConnected');
      });
    }
  }
  window.RTCPeerConnection = ProbedPeerConnection;
})();
