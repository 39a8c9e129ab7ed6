// `npm start`: install and build what is missing, then run the whole product.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap, mediasoupWorkerBin, repoRoot } from './bootstrap.mjs';

try {
  bootstrap();
} catch (error) {
  console.error(`\n${error.message}`);
  process.exit(1);
}

const server = spawn(process.execPath, [join(repoRoot, 'server', 'dist', 'main.js')], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { MEDIASOUP_WORKER_BIN: mediasoupWorkerBin, ...process.env },
});
// Ctrl-C reaches the server through the terminal's process group; the server stops its
// embedded database and mail catcher and exits, and so do we.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
