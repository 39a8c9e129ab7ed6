import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

/** Where `vite dev` forwards /api; the server's default port. */
const apiTarget = process.env.KONFERENZ_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [
    sveltekit({
      compilerOptions: {
        // Runes everywhere in our code; libraries in node_modules keep whatever mode they were written in.
        runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true),
      },
      // A single-page app: the NestJS server serves build/ and answers unknown non-/api paths with index.html.
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
      // Absolute asset URLs, so the fallback page also works when served for deep paths like /account.
      paths: { relative: false },
      // The page starts the app with one inline script; its hash goes into a CSP <meta> tag of index.html.
      csp: { mode: 'hash', directives: { 'script-src': ['self'] } },
      // Nothing reads `updated` (a new deployment reaches users at their next page load), so the
      // hourly version poll SvelteKit 3 turns on by default would only be requests nobody uses.
      version: { pollInterval: 0 },
    }),
  ],
  server: {
    proxy: {
      // The server accepts mutations only from its own origin, so the dev proxy presents that origin.
      '/api': { target: apiTarget, headers: { origin: new URL(apiTarget).origin } },
    },
  },
  test: {
    name: 'unit',
    include: ['src/**/*.spec.ts'],
    environment: 'node',
  },
});
