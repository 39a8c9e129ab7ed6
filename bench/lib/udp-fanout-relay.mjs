// The baseline of bench/worker-forwarding.mjs: the least a forwarder does, in a process of its
// own so that its CPU time can be read from /proc like the worker's. It receives UDP datagrams
// on a loopback port and sends each one, unchanged, to every target port; no parsing, no
// rewriting, no crypto. Prints its own port as one line on stdout, then runs until killed.
//
// Usage: node udp-fanout-relay.mjs TARGET_PORT...
import { createSocket } from 'node:dgram';

const targets = process.argv.slice(2).map(Number);
const socket = createSocket('udp4');
socket.on('message', (packet) => {
  for (const port of targets) socket.send(packet, port, '127.0.0.1');
});
socket.bind(0, '127.0.0.1', () => {
  process.stdout.write(`${socket.address().port}\n`);
});
