import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

// NestJS needs decorator metadata, which vitest's default esbuild transform does not emit.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  test: {
    projects: [
      { plugins, test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      {
        plugins,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // The interop matrix is a suite of its own (npm run test:interop).
          exclude: [...configDefaults.exclude, 'test/interop/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins,
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 150_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
