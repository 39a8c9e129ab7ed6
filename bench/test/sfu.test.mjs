import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { keyFrameRequests, VIDEO_LAYERS } from '../lib/sfu-media.mjs';
import { answerDtlsParameters, listenerRtpCapabilities, offerSdp } from '../lib/webrtc-listeners.mjs';

// The benchmark's workings only, at toy size: the numbers come from `npm run bench:sfu`.
describe('bench:sfu', () => {
  it('ramps audio and simulcast video through a product room over two workers and a bare worker, with WebRTC listeners, and prints one JSON line', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'sfu.mjs');
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        // The test runner is the isolation and has built the sfu already.
        KONFERENZ_BENCH_CHILD: 'test',
        BENCH_STEP: '3',
        BENCH_MAX_LISTENERS: '6',
        BENCH_VIDEO_STEP: '3',
        BENCH_MAX_VIDEO_LISTENERS: '6',
        BENCH_SECONDS: '1',
        BENCH_WORKERS: '2',
        BENCH_ROUTER_MAX_CONSUMERS: '2',
        BENCH_WEBRTC_LISTENERS: '2',
      },
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1, run.stdout);
    const result = JSON.parse(lines[0]);
    assert.equal(result.bench, 'sfu');
    for (const kind of ['audio', 'video']) {
      const { product_room: product, bare_one_worker: bare } = result[kind];
      const best = product.largest_sustained;
      // Past two consumers the room's listeners went to the other worker.
      assert.equal(best.routers, 2, kind);
      assert.equal(best.plain_listeners, 6, kind);
      assert.equal(best.listeners, 8, kind);
      assert.equal(bare.largest_sustained.listeners, 8, kind);
      assert.equal(product.capped_at, 6, kind);
      // Plain listeners got their layer's every packet (no more: another layer's would show as loss elsewhere).
      assert.equal(best.loss_pct, 0, kind);
      // Both WebRTC listeners connected (ICE, DTLS) and decrypted what they were sent (SRTP).
      assert.equal(best.webrtc_listeners, 2, kind);
      assert.equal(best.webrtc_connected, 2, kind);
      assert.equal(best.webrtc_loss_pct, 0, kind);
      assert.ok(best.webrtc_latency_p95_ms > 0, kind);
    }
    assert.equal(result.summary.webrtc_listeners, 2);
    assert.equal(result.summary.webrtc_loss_pct, 0);
    // At toy size a worker's CPU over a second may read 0 ticks, so the per-core figures may be null.
    assert.ok('ratio' in result.summary.video_consumers_per_worker_core);
    assert.equal(result.summary.largest_audio_room.product_room.listeners, 8);
    // The simulcast speaker sent key frames (at the start, and when consumers asked for them).
    assert.ok(result.video.product_room.largest_sustained.key_frames >= VIDEO_LAYERS.length);
  });

  it('reads key frame requests from compound RTCP', () => {
    const receiverReport = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
    const pli = Buffer.alloc(12);
    pli[0] = 0x81;
    pli[1] = 206;
    pli.writeUInt16BE(2, 2);
    pli.writeUInt32BE(5200, 8);
    const fir = Buffer.alloc(20);
    fir[0] = 0x84;
    fir[1] = 206;
    fir.writeUInt16BE(4, 2);
    fir.writeUInt32BE(5300, 12);
    assert.deepEqual(keyFrameRequests(Buffer.concat([receiverReport, pli, fir])), [5200, 5300]);
  });

  it('offers a receive transport as mediasoup-client would, and reads the DTLS role of the answer', () => {
    const capabilities = listenerRtpCapabilities({
      codecs: [
        { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2, rtcpFeedback: [{ type: 'transport-cc' }] },
        { kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000 },
        {
          kind: 'video',
          mimeType: 'video/VP8',
          preferredPayloadType: 101,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'goog-remb' }, { type: 'nack', parameter: 'pli' }],
        },
      ],
      headerExtensions: [
        { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1 },
        { kind: 'video', uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', preferredId: 5 },
      ],
    });
    // No bandwidth estimation, no RTX: a video consumer gets the layer its tile asks for.
    assert.deepEqual(
      capabilities.codecs.map(({ mimeType, rtcpFeedback }) => [mimeType, rtcpFeedback.map(({ type }) => type)]),
      [
        ['audio/opus', []],
        ['video/VP8', ['nack']],
      ],
    );
    assert.equal(capabilities.headerExtensions.length, 1);

    const transport = {
      iceParameters: { usernameFragment: 'ufrag', password: 'pwd' },
      iceCandidates: [
        { foundation: 'udpcandidate', priority: 1076302079, address: '127.0.0.1', protocol: 'udp', port: 41000, type: 'host' },
        { foundation: 'tcpcandidate', priority: 1076276479, address: '127.0.0.1', protocol: 'tcp', port: 41000, type: 'host', tcpType: 'passive' },
      ],
      dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }], role: 'auto' },
    };
    const audio = {
      kind: 'audio',
      rtpParameters: {
        mid: '0',
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 11 }],
        rtcp: { cname: 'c' },
      },
    };
    const sdp = offerSdp(transport, [audio]);
    assert.match(sdp, /^a=ice-lite$/m);
    assert.match(sdp, /^a=fingerprint:sha-256 AB:CD$/m);
    assert.match(sdp, /^a=candidate:udpcandidate 1 udp 1076302079 127\.0\.0\.1 41000 typ host$/m);
    assert.doesNotMatch(sdp, /tcpcandidate/);
    assert.match(sdp, /^a=rtpmap:100 opus\/48000\/2$/m);
    assert.match(sdp, /^a=ssrc:11 cname:c$/m);
    assert.deepEqual(answerDtlsParameters('v=0\r\na=fingerprint:sha-256 EF:01\r\na=setup:active\r\n'), {
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: 'EF:01' }],
    });
  });
});
