// A box that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1): while its content
// overflows it is a Tab stop (tabindex 0), and only then. Measured when the box is mounted,
// resized or its content changes; the attribute is set on the element directly, not rendered.
//
// Reading a box's scroll size forces a layout when the page has changed since the last one, and
// a long conversation mounts dozens of code blocks in one frame (then highlighting changes each
// again). So the boxes are measured together, once per frame: every read first, then every write,
// one layout for all of them, the one the frame was about to do anyway.
import { useEffect, useState } from 'react';

const pending = new Set<HTMLElement>();
let scheduled = false;

function measureAll(): void {
  scheduled = false;
  const boxes = [...pending].filter((box) => box.isConnected);
  pending.clear();
  const overflows = boxes.map(
    (box) => box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1,
  );
  boxes.forEach((box, i) => {
    if (overflows[i]) box.setAttribute('tabindex', '0');
    else box.removeAttribute('tabindex');
  });
}

/** Measures `box` with the others at the next frame. */
export function measureScrollable(box: HTMLElement): void {
  pending.add(box);
  if (scheduled) return;
  scheduled = true;
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(measureAll);
  else queueMicrotask(measureAll);
}

/** The callback ref for the box. */
export function useKeyboardScrollable<T extends HTMLElement>(): (el: T | null) => void {
  const [box, setBox] = useState<T | null>(null);
  useEffect(() => {
    if (!box) return;
    const measure = () => measureScrollable(box);
    measure();
    const resized = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    resized?.observe(box);
    const changed = new MutationObserver(measure);
    changed.observe(box, { childList: true, characterData: true, subtree: true });
    return () => {
      resized?.disconnect();
      changed.disconnect();
      pending.delete(box);
    };
  }, [box]);
  return setBox;
}
