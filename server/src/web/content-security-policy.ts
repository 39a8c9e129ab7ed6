import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SvelteKit boots the SPA from one inline script whose hash the client build writes to
 * csp-script-hashes.json; allowing exactly that hash keeps 'unsafe-inline' out of the policy.
 * `nodeOrigins`: with several nodes, a page from the front door opens its conference socket on the
 * node that runs the conference; only those origins are allowed, each also as ws:/wss: (in CSP an
 * http: source does not cover WebSocket URLs; 'self' does).
 */
export function contentSecurityPolicy(clientDir: string, https: boolean, nodeOrigins: string[] = []) {
  const hashesFile = join(clientDir, 'csp-script-hashes.json');
  const scriptHashes: string[] = existsSync(hashesFile) ? JSON.parse(readFileSync(hashesFile, 'utf8')) : [];
  return {
    directives: {
      'script-src': ["'self'", ...scriptHashes],
      'connect-src': ["'self'", ...nodeOrigins.flatMap((origin) => [origin, origin.replace(/^http/, 'ws')])],
      'img-src': ["'self'", 'data:', 'blob:'],
      'media-src': ["'self'", 'blob:'],
      // Over plain http (npm start, a LAN install) this would make browsers refuse the site.
      'upgrade-insecure-requests': https ? [] : null,
    },
  };
}
