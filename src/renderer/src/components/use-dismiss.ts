// A popover's dismissal, shared by the composer's pickers: a press outside closes it (leaving focus
// where the press put it), and so does focus moving out of it.
import { useEffect, type FocusEvent, type RefObject } from 'react';

export function useDismiss(open: boolean, wrap: RefObject<HTMLElement | null>, close: () => void) {
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!(e.target instanceof Node) || !wrap.current?.contains(e.target)) close();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, wrap, close]);

  /** The wrapper's onBlur: focus that leaves the wrapper closes the popover. */
  return (e: FocusEvent<HTMLElement>) => {
    if (open && e.relatedTarget instanceof Node && !wrap.current?.contains(e.relatedTarget)) close();
  };
}

/** Esc closes only the popover: it does not also stop a streaming answer. */
export function swallowEscape(e: { preventDefault(): void; stopPropagation(): void; nativeEvent: Event }) {
  e.preventDefault();
  e.stopPropagation();
  e.nativeEvent.stopImmediatePropagation();
}
