// A box that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1): while its content
// overflows it is a Tab stop (tabindex 0), and only then. Measured when the box is resized or its
// content changes; the attribute is set on the element directly, not rendered.
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
    measure();
    const resized = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    resized?.observe(box);
    const changed = new MutationObserver(measure);
    changed.observe(box, { childList: true, characterData: true, subtree: true });
    return () => {
      resized?.disconnect();
      changed.disconnect();
    };
  }, [box]);
  return setBox;
}
