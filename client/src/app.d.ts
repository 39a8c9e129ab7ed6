import type { CatalogueKey } from '@konferenz/shared';

// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface PageState {
      /** A one-time message for the page navigated to, e.g. after logout or account deletion. */
      notice?: CatalogueKey;
      /** A one-time problem for the page navigated to, e.g. an expired conference token on /join. */
      problem?: CatalogueKey;
    }
  }
}

export {};
