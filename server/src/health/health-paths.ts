/** Where monitors ask; the SPA fallback must let these through to the health controller. */
export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';
