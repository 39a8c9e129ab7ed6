export { WorkerPool } from './worker-pool';
export type { WorkerPoolEvents, WorkerPoolOptions } from './worker-pool';
export { loadMediasoup, mediasoupWorkerBinaryPath, MEDIASOUP_VERSION } from './worker-binary';
