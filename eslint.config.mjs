// ESLint for every workspace (`npm run lint`). The recommended rule sets only: formatting is
// Prettier's job, and the type-aware rule sets would need a full type check per run, which
// `npm run typecheck` already does.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

export default defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', '**/build/', '**/.svelte-kit/', '.tools/', 'sfu/.cache/', 'data/', '**/test-results/', '**/playwright-report/'],
  },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // Leading underscores mark parameters a signature needs but the body does not use (tsconfig's
      // noUnusedParameters follows the same rule); `...rest` destructuring drops the named keys on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Control characters are matched on purpose: input rules reject them, and terminal output
      // is read with its escape sequences stripped.
      'no-control-regex': 'off',
    },
  },
  {
    // Where typescript-eslint turns prefer-const on: `let { a, b } = …` where only some are
    // reassigned later must stay one declaration.
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    rules: { 'prefer-const': ['error', { destructuring: 'all' }] },
  },
  {
    // Tests read JSON answers without a declared type and check their shape with expect().
    files: ['**/test/**', '**/*.test.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Playwright finds a fixture's dependencies by reading its first parameter, which must be an
    // object pattern even when the fixture depends on none: `async ({}, use) => …`.
    files: ['e2e/**'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    // SvelteKit's resolve() prefixes paths.base; the app is always served at the root (the server
    // answers every non-/api path with it), so plain paths in href and goto() are the same thing.
    files: ['client/**'],
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
  {
    // The client, and the bench scripts that run inside the measured page.
    files: ['client/src/**', 'bench/baseline-client.js', 'bench/page-probe.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The functions these hand to page.evaluate() and page.waitForFunction() run in the page.
    files: ['bench/**/*.mjs'],
    languageOptions: { globals: { window: 'readonly' } },
  },
  {
    // Components and rune modules: svelte's parser, with TypeScript's parser for their scripts.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
    },
  },
);
