// `npm start`: install and build what is missing, then run the whole product (`--production`:
// `npm run start:prod`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap, mediasoupWorkerBin, repoRoot } from './bootstrap.mjs';

try {
  bootstrap();
} catch (error) {
  console.error(`\n${error.message}`);
  process.exit(1);
}

// `npm run start:prod`: the server runs in production mode. The install and build above run
// without NODE_ENV, whatever the caller set (bootstrap.mjs toolEnv).
const production = process.argv.includes('--production');
const server = spawn(process.execPath, [join(repoRoot, 'server', 'dist', 'main.js')], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { MEDIASOUP_WORKER_BIN: mediasoupWorkerBin, ...process.env, ...(production ? { NODE_ENV: 'production' } : {}) },
});
// Ctrl-C reaches the server through the terminal's process group; the server stops its
// embedded database and mail catcher and exits, and so do we.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
