// The sidebar's search, past titles: every message of every conversation (the main process's
// full-text index), each hit with its snippet and the matched words marked. A click opens the
// conversation and brings that message into view (MessageList, `scrollTo`).
import { useEffect, useState } from 'react';
import type { SearchHit, SearchResults } from '../../../shared/protocol';
import { useAppStore } from '../store/react';

const DEBOUNCE_MS = 180;
/** While the index is still being built, the same query is asked again this often. */
const INDEXING_AGAIN_MS = 1000;

function Snippet({ snippet }: { snippet: SearchHit['snippet'] }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  snippet.highlights.forEach(([start, end], i) => {
    if (start > at) parts.push(snippet.text.slice(at, start));
    parts.push(<mark key={i}>{snippet.text.slice(start, end)}</mark>);
    at = end;
  });
  parts.push(snippet.text.slice(at));
  return <span className="hit-snippet">{parts}</span>;
}

export function MessageHits({ query }: { query: string }) {
  const store = useAppStore();
  const q = query.trim();
  // What the last search answered, for its query: a newer query shows nothing stale meanwhile.
  const [found, setFound] = useState<{
    query: string;
    results: SearchResults | null;
    error: string | null;
  }>();
  // Bumped to ask again while the main process is still indexing: the hits fill in as it goes.
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (q.length < 2) return;
    let current = true;
    const timer = setTimeout(() => {
      void store
        .getState()
        .searchMessages(q)
        .then((done) => {
          if (current)
            setFound(
              done.ok
                ? { query: q, results: done.results, error: null }
                : { query: q, results: null, error: done.message },
            );
        });
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q, store, round]);

  const indexing = found?.query === q ? found.results?.indexing : undefined;
  useEffect(() => {
    if (!indexing) return;
    const timer = setTimeout(() => setRound((r) => r + 1), INDEXING_AGAIN_MS);
    return () => clearTimeout(timer);
  }, [indexing]);

  if (q.length < 2) return null;
  const results = found?.query === q ? found.results : null;
  const error = found?.query === q ? found.error : null;
  const open = (hit: SearchHit) => {
    const state = store.getState();
    state.setScrollTo(hit.messageId);
    void state.openConversation(hit.conversationId);
    state.setNavOpen(false);
  };
  return (
    <section className="message-hits" aria-label="Found in messages" data-testid="message-hits">
      <h2 className="hits-heading">In messages</h2>
      {error && <p className="field-error">{error}</p>}
      {results?.indexing && (
        <p className="muted small-text" data-testid="search-indexing">
          Still indexing — {results.indexing.done.toLocaleString('en-US')} of{' '}
          {results.indexing.total.toLocaleString('en-US')} conversations; these are the matches so far.
        </p>
      )}
      {results && results.hits.length === 0 && <p className="muted small-text">No message matches.</p>}
      {results && results.hits.length > 0 && (
        <ul className="hit-list">
          {results.hits.map((hit) => (
            <li key={`${hit.conversationId}/${hit.messageId}`}>
              <button type="button" className="hit" data-testid="message-hit" onClick={() => open(hit)}>
                <span className="hit-title">
                  {hit.title}
                  <span className="hit-role"> · {hit.role === 'user' ? 'you' : 'answer'}</span>
                </span>
                <Snippet snippet={hit.snippet} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {results?.more && (
        <p className="muted small-text">
          The first {results.hits.length} matches; more messages hold these words. Add a word to narrow it
          down.
        </p>
      )}
    </section>
  );
}
