// @vitest-environment happy-dom
import { afterEach, expect, test, vi } from 'vitest';
import { createFocusKeeper } from '../../src/renderer/src/lib/focus';

afterEach(() => {
  document.body.innerHTML = '';
});

const later = () => new Promise((r) => setTimeout(r, 5));

function button(name: string): HTMLButtonElement {
  const el = document.createElement('button');
  el.textContent = name;
  document.body.append(el);
  return el;
}

test('a focused control that goes away hands focus to recover, once', async () => {
  const recover = vi.fn();
  const keeper = createFocusKeeper(recover);
  const stop = button('Stop');
  stop.focus();
  expect(document.activeElement).toBe(stop);
  stop.remove();
  keeper.check();
  keeper.check(); // several store changes before the timer runs: one look
  await later();
  expect(recover).toHaveBeenCalledTimes(1);
  keeper.check(); // nothing new was lost
  await later();
  expect(recover).toHaveBeenCalledTimes(1);
  keeper.dispose();
});

test('while focus stays on a control, a check costs no visibility test and recovers nothing', async () => {
  const recover = vi.fn();
  const keeper = createFocusKeeper(recover);
  const composer = document.createElement('textarea');
  document.body.append(composer);
  composer.focus();
  const visibility = vi.fn(() => true);
  Object.defineProperty(composer, 'checkVisibility', { value: visibility });
  for (let frame = 0; frame < 20; frame++) {
    keeper.check();
    await later();
  }
  expect(recover).not.toHaveBeenCalled();
  expect(visibility).not.toHaveBeenCalled();
  // The person moved focus to another control: also not lost.
  button('Other').focus();
  keeper.check();
  await later();
  expect(recover).not.toHaveBeenCalled();
  keeper.dispose();
});

test('after dispose, nothing runs', async () => {
  const recover = vi.fn();
  const keeper = createFocusKeeper(recover);
  const stop = button('Stop');
  stop.focus();
  stop.remove();
  keeper.check();
  keeper.dispose();
  await later();
  expect(recover).not.toHaveBeenCalled();
});
