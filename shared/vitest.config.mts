import { defineConfig } from 'vitest/config';

// Unit tests only: shared holds pure rules and schemas, so every test sits next to its source.
export default defineConfig({
  test: {
    name: 'unit',
    include: ['src/**/*.spec.ts'],
  },
});
