// The polite live region for the streaming answer (see lib/announce): it follows the store itself,
// so a phase that lasts less than a render is still said, and says each phase once.
import { useEffect, useState } from 'react';
import { createAnnouncer } from '../lib/announce';
import { useAppStore } from '../store/react';

export function LiveAnnouncer() {
  const store = useAppStore();
  const [said, setSaid] = useState('');
  useEffect(() => {
    const announce = createAnnouncer(setSaid);
    announce(store.getState().live);
    return store.subscribe((s) => announce(s.live));
  }, [store]);
  return (
    <div
      className="visually-hidden"
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-testid="live-status"
    >
      {said}
    </div>
  );
}
