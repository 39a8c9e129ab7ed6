import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

/** Where `vite dev` forwards /api; the server's default port. */
const apiTarget = process.env.KONFERENZ_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      // The server accepts mutations only from its own origin, so the dev proxy presents that origin.
      '/api': { target: apiTarget, headers: { origin: new URL(apiTarget).origin } },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
