import { freePort } from '../../src/embedded/free-port';
import { startTestApp, type TestApp } from './test-app';

/**
 * One node of a cluster under test: the real server on a port of its own (its NODE_PUBLIC_URL),
 * sharing `base`'s database and the Redis at `redisUrl`, as a deployment's nodes do.
 */
export async function startClusterNode(base: TestApp, redisUrl: string, name: string, environment: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({
    ...environment,
    MONGODB_URI: base.databaseUri,
    REDIS_URL: redisUrl,
    NODE_ID: name,
    PORT: String(port),
    NODE_PUBLIC_URL: `http://127.0.0.1:${port}`,
    NODE_ORIGINS: 'http://127.0.0.1:*',
  });
}
