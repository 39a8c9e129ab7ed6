import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // Starting real mediasoup worker processes takes a moment on a busy CI box.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
