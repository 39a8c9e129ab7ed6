import type { ConferenceStats } from './transport-stats';

/** What end-to-end tests read from the page: `window.__konferenz`. */
export interface KonferenzTestHooks {
  getStats(): Promise<ConferenceStats>;
}

declare global {
  interface Window {
    __konferenz?: KonferenzTestHooks;
  }
}

/**
 * Exposes the conference's transport statistics on `window.__konferenz`, so tests can check that
 * audio and video really flow. Harmless in production: byte counters only, no media, no token.
 * Returns the function that removes them again.
 */
export function installTestHooks(hooks: KonferenzTestHooks): () => void {
  if (typeof window === 'undefined') return () => undefined;
  window.__konferenz = hooks;
  return () => {
    if (window.__konferenz === hooks) delete window.__konferenz;
  };
}
