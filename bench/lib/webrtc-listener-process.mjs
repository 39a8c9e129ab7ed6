// bench:sfu's WebRTC listeners: headless werift peers (pure-TypeScript WebRTC: ICE, DTLS, SRTP)
// in a Node process of their own, so that decrypting their media does not slow down the bench's
// plain listeners. Started by webrtc-listeners.mjs over an IPC channel; never on its own.
//
// Messages in: {type:'answer', id, offer} → {type:'answer', id, answer} (the peer's SDP answer);
// {type:'count', from, to, videoLayer} starts a measuring window: the packets the speaker sent in
// [from, to) (hrtime ns, as strings), video of that simulcast layer (others count as offLayer); {type:'report'} → {type:'report', peers, latenciesMs}; {type:'close'}. Out, unasked: {type:'state', id, state} for each peer's
// connection state, {type:'error', id, message}.
import { RTCPeerConnection, RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters } from 'werift';
import { layerOf, sentAtOf } from './sfu-media.mjs';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const peers = new Map();
/** The measuring window, by send time: nothing is counted before the first. */
let measured = { from: 1n, to: 0n, videoLayer: 0 };
/** Speaker → listener latency of every 16th packet, per kind. */
let latenciesMs = { audio: [], video: [] };

function peerConnection() {
  return new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        }),
      ],
    },
    headerExtensions: {
      audio: [new RTCRtpHeaderExtensionParameters({ uri: MID_URI })],
      video: [new RTCRtpHeaderExtensionParameters({ uri: MID_URI })],
    },
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    // The bench runs in a namespace with loopback only, which werift leaves out by default.
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
}

async function answer(id, offer) {
  const pc = peerConnection();
  const peer = { pc, received: { audio: 0, video: 0 }, offLayer: 0, state: 'new' };
  peers.set(id, peer);
  pc.connectionStateChange.subscribe((state) => {
    peer.state = state;
    process.send({ type: 'state', id, state });
  });
  pc.onTrack.subscribe((track) => {
    const kind = track.kind;
    track.onReceiveRtp.subscribe((rtp) => {
      const sentAt = sentAtOf(rtp.payload);
      if (sentAt === null || sentAt < measured.from || sentAt >= measured.to) return;
      if (kind === 'video' && layerOf(rtp.payload) !== measured.videoLayer) {
        peer.offLayer += 1;
        return;
      }
      peer.received[kind] += 1;
      if ((rtp.header.sequenceNumber & 0x0f) === 0) latenciesMs[kind].push(Number(process.hrtime.bigint() - sentAt) / 1e6);
    });
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  return pc.localDescription.sdp;
}

process.on('message', (message) => {
  switch (message.type) {
    case 'answer':
      answer(message.id, message.offer).then(
        (sdp) => process.send({ type: 'answer', id: message.id, answer: sdp }),
        (error) => process.send({ type: 'error', id: message.id, message: String(error?.stack ?? error) }),
      );
      break;
    case 'count':
      for (const peer of peers.values()) Object.assign(peer, { received: { audio: 0, video: 0 }, offLayer: 0 });
      latenciesMs = { audio: [], video: [] };
      measured = { from: BigInt(message.from), to: BigInt(message.to), videoLayer: message.videoLayer };
      break;
    case 'report':
      process.send({
        type: 'report',
        peers: [...peers].map(([id, peer]) => ({ id, state: peer.state, received: peer.received, offLayer: peer.offLayer })),
        latenciesMs,
      });
      break;
    case 'close':
      Promise.allSettled([...peers.values()].map((peer) => peer.pc.close())).finally(() => process.exit(0));
      break;
  }
});
process.on('disconnect', () => process.exit(0));
