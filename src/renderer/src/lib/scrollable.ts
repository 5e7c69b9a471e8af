// A box that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1): while its content
// overflows it is a Tab stop (tabindex 0), and only then. Measured when the box is resized or its
// content changes; the attribute is set on the element directly, not rendered.
//
// Measured only inside a ResizeObserver callback, which runs after the browser's own layout: a
// content change (a growing code block, on every frame of a stream) observes the box anew, and the
// observer reports it after the next layout. Reading its sizes anywhere else would force a layout
// of the page there and then.
import { useEffect, useState } from 'react';

/** The callback ref for the box. */
export function useKeyboardScrollable<T extends HTMLElement>(): (el: T | null) => void {
  const [box, setBox] = useState<T | null>(null);
  useEffect(() => {
    if (!box) return;
    const measure = () => {
      const overflows = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (overflows) box.setAttribute('tabindex', '0');
      else box.removeAttribute('tabindex');
    };
    if (typeof ResizeObserver === 'undefined') {
      measure();
      return;
    }
    const resized = new ResizeObserver(measure);
    resized.observe(box);
    // A new observation reports the box's size at the next layout, whether or not it changed.
    const changed = new MutationObserver(() => {
      resized.unobserve(box);
      resized.observe(box);
    });
    changed.observe(box, { childList: true, characterData: true, subtree: true });
    return () => {
      resized.disconnect();
      changed.disconnect();
    };
  }, [box]);
  return setBox;
}
