// Saves text as a file the way a page can: a Blob behind a link with `download`, clicked, then let
// go. The desktop app gets Electron's save dialog for the same click; the browser its downloads.
import type { ExportFile } from '../../../shared/protocol';

export function saveFile(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the Blob over; a moment later nothing needs the URL.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
