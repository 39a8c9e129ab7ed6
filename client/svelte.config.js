import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  compilerOptions: {
    // Runes everywhere in our code; libraries in node_modules keep whatever mode they were written in.
    runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true),
  },
  kit: {
    // A single-page app: the NestJS server serves build/ and answers unknown non-/api paths with index.html.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // Absolute asset URLs, so the fallback page also works when served for deep paths like /account.
    paths: { relative: false },
    // The page starts the app with one inline script; its hash goes into a CSP <meta> tag of index.html.
    csp: { mode: 'hash', directives: { 'script-src': ['self'] } },
  },
};

export default config;
