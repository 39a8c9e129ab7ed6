// SvelteKit starts the app with one inline <script> in build/index.html and lists its hash in the
// page's CSP <meta> tag. A CSP header from the server applies on top of that tag, so the server must
// allow the same hashes: this writes them to build/csp-script-hashes.json for it to read at boot.
import { readFileSync, writeFileSync } from 'node:fs';

const html = readFileSync(new URL('../build/index.html', import.meta.url), 'utf8');
const meta = html.match(/<meta http-equiv="content-security-policy" content="([^"]*)"/i);
const scriptSrc = meta?.[1]
  .split(';')
  .map((directive) => directive.trim().split(/\s+/))
  .find(([name]) => name === 'script-src');
const hashes = (scriptSrc ?? []).filter((source) => /^'sha(256|384|512)-/.test(source));
if (hashes.length === 0) throw new Error('build/index.html has no script-src hash in its CSP meta tag');
writeFileSync(new URL('../build/csp-script-hashes.json', import.meta.url), `${JSON.stringify(hashes)}\n`);
console.log(`csp-script-hashes.json: ${hashes.join(' ')}`);
