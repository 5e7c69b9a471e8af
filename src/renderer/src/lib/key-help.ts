// How a key reaches `sluice serve`: the browser twin keeps no key and takes none from the page; it
// reads the provider's environment variable when it starts (chat/target.ts).

/** The exact command that starts the browser twin with a key in `variable`. */
export const serveWithKey = (variable = 'ANTHROPIC_API_KEY'): string =>
  `${variable}=… npm run sluice -- serve`;
