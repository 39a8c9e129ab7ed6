// The baseline of `npm run bench:join`: the least a browser must do to hear a conference, with
// nothing of the product's client (no SvelteKit, no device check, no camera or microphone, no
// sending). Bundled by bench/join.mjs with esbuild and served same-origin through page.route.
//
// join POST -> socket.io /conference -> media:rtpCapabilities -> device.load ->
// media:setRtpCapabilities -> recv transport -> media:newConsumer (audio) -> consume ->
// media:resumeConsumer. The first audio packet is detected by bench/page-probe.js, the same probe
// that times the product, so both sides are measured alike.
import { Device } from 'mediasoup-client';
import { io } from 'socket.io-client';

const REQUEST_TIMEOUT_MS = 10_000;

async function request(socket, name, payload) {
  const result = await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload);
  if (!result?.ok) throw new Error(`${name}: ${JSON.stringify(result?.error ?? result)}`);
  return result.data;
}

let current = null;

/** Joins with room number and PIN; resolves once the audio consumer is resumed. */
window.baselineJoin = async ({ roomNumber, pin, displayName }) => {
  // t0: the moment the PIN goes to the server (the product's clock starts at the click that sends it).
  window.__bench.start();
  const response = await fetch('/api/conference/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Konferenz-CSRF': '1' },
    body: JSON.stringify({ roomNumber, pin, displayName }),
  });
  if (!response.ok) throw new Error(`join answered ${response.status}: ${await response.text()}`);
  const { token } = await response.json();

  const socket = io('/conference', { auth: { token }, transports: ['websocket'], autoConnect: false, reconnection: false });
  current = socket;
  // Offers may arrive right after the recv transport's answer: listen from the start.
  let offered;
  const audioOffer = new Promise((resolve) => (offered = resolve));
  socket.on('media:newConsumer', (view) => {
    if (view.kind === 'audio') offered(view);
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
    socket.connect();
  });

  const { rtpCapabilities } = await request(socket, 'media:rtpCapabilities', {});
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: rtpCapabilities });
  await request(socket, 'media:setRtpCapabilities', { rtpCapabilities: device.recvRtpCapabilities });
  const options = await request(socket, 'media:createTransport', { direction: 'recv' });
  const transport = device.createRecvTransport({
    id: options.id,
    iceParameters: options.iceParameters,
    iceCandidates: options.iceCandidates,
    dtlsParameters: options.dtlsParameters,
    iceServers: options.iceServers,
  });
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    request(socket, 'media:connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
  });

  const view = await audioOffer;
  const consumer = await transport.consume({
    id: view.consumerId,
    producerId: view.producerId,
    kind: view.kind,
    rtpParameters: view.rtpParameters,
  });
  await request(socket, 'media:resumeConsumer', { consumerId: consumer.id });
  return { consumerId: consumer.id };
};

/** Leaves the conference so the server drops this participant at once. */
window.baselineLeave = async () => {
  const socket = current;
  current = null;
  if (!socket) return;
  try {
    if (socket.connected) await request(socket, 'conference:leave', {});
  } catch {
    // closing the page ends it anyway
  }
  socket.disconnect();
};
