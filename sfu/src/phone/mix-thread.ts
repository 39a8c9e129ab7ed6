import { parentPort } from 'node:worker_threads';

import type { ToMixThread } from './mix-protocol';
import { PhoneMixRunner } from './phone-mix-runner';

// The entry of a phone mix thread (PhoneMixThreads starts it from sfu/dist).
if (!parentPort) throw new Error('the phone mix runs in a worker thread');
const port = parentPort;
const runner = new PhoneMixRunner((message) => port.postMessage(message));
port.on('message', (message: ToMixThread) => runner.handle(message));
