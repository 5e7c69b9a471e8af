// The highlighting worker: shiki tokenizes here, off the page's main thread (markdown/highlight.ts
// sends the requests). A grammar's first use compiles its patterns, a few hundred milliseconds for
// TypeScript; here that blocks no input, scroll or frame of the window.
import { answer, createTokenizer, type TokenizeRequest } from './tokenizer';

const tokenize = createTokenizer();

self.onmessage = (event: MessageEvent<TokenizeRequest>) => {
  void answer(tokenize, event.data).then((reply) => self.postMessage(reply));
};
