// --open: hand the URL to the desktop's default browser. Failing to is worth a note, not a crash.
// BROWSER=none (the convention Vite and create-react-app follow) says not to open one at all.
import { spawn } from 'node:child_process';

export function openInBrowser(
  url: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (env['BROWSER']?.toLowerCase() === 'none') return Promise.resolve(null);
  const [cmd, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (note: string | null) => {
      if (!settled) resolve(note);
      settled = true;
    };
    try {
      const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
      child.on('error', (err) =>
        finish(`Could not open a browser (${cmd}: ${err.message}); open the URL yourself.`),
      );
      child.on('exit', (code) =>
        finish(
          code === 0 || code === null
            ? null
            : `Could not open a browser (${cmd} exited ${code}); open the URL yourself.`,
        ),
      );
      child.unref();
      // Some openers stay running while the browser does; no news after a moment is good news.
      setTimeout(() => finish(null), 3000).unref();
    } catch (err) {
      finish(`Could not open a browser (${(err as Error).message}); open the URL yourself.`);
    }
  });
}
