// Model output is untrusted: a link may go only to the web or to mail, and an in-page anchor
// (footnotes) stays in the page. javascript:, data:, file:, vbscript:, relative paths and
// anything the URL parser rejects are dropped.
const ALLOWED = new Set(['http:', 'https:', 'mailto:']);

export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (/^#[\w-]*$/.test(trimmed)) return trimmed;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  return ALLOWED.has(parsed.protocol) ? parsed.href : null;
}
