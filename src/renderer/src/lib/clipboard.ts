/**
 * Copies text. navigator.clipboard needs a secure context and focus; where it is missing or
 * refuses (plain http from another host, an old webview), a selected off-screen textarea and
 * execCommand('copy') still work.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    // lib.dom types it as always there; outside a secure context (or in an old webview) it is not.
    const clipboard = navigator.clipboard as Partial<Clipboard> | undefined;
    if (clipboard?.writeText) {
      await clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea
  }
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'clipboard-helper';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  focused?.focus();
  return ok;
}
