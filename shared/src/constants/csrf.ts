/**
 * Every mutating API request carries this header with the value "1": a cross-site form cannot set
 * a custom header, and a cross-site script could only after a CORS preflight the server never approves.
 */
export const CSRF_HEADER = 'x-konferenz-csrf';
