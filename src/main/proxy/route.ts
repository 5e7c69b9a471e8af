// Routes provider traffic through a managed nginx front when a profile is chosen (CLI
// --via-nginx, the app's setting). One front per (profile, upstream), started on first use and
// stopped on close. Without a working nginx the turn goes direct, with a message saying why.
import type { NginxProfile } from '../../shared/protocol';
import { cleanupStaleNginx } from './stale';
import { startNginxFront } from './front';
import { NginxStartError, type NginxFront } from './types';

export type Route = { baseURL: string; front: NginxFront | null; notice: string | null };

export class NginxRouter {
  private readonly fronts = new Map<string, Promise<NginxFront>>();
  private cleaned: Promise<unknown> | null = null;

  constructor(private readonly opts: { nginxPath?: string; baseDir?: string } = {}) {}

  async route(baseURL: string, profile: NginxProfile | null): Promise<Route> {
    if (!profile) return { baseURL, front: null, notice: null };
    // Fronts left behind by a crashed run are stopped before the first new one starts.
    this.cleaned ??= cleanupStaleNginx(this.opts.baseDir).catch(() => 0);
    await this.cleaned;
    const key = `${profile} ${baseURL}`;
    let front = this.fronts.get(key);
    if (!front) {
      front = startNginxFront({
        profile,
        upstream: { url: baseURL },
        ...(this.opts.nginxPath ? { nginxPath: this.opts.nginxPath } : {}),
        ...(this.opts.baseDir ? { baseDir: this.opts.baseDir } : {}),
      });
      this.fronts.set(key, front);
      front.catch(() => this.fronts.delete(key));
    }
    try {
      const started = await front;
      return { baseURL: started.url, front: started, notice: null };
    } catch (err) {
      const message =
        err instanceof NginxStartError ? err.error.message : `nginx could not start: ${String(err)}`;
      return { baseURL, front: null, notice: message };
    }
  }

  async close(): Promise<void> {
    const fronts = [...this.fronts.values()];
    this.fronts.clear();
    await Promise.all(
      fronts.map((f) =>
        f.then(
          (front) => front.stop(),
          () => {},
        ),
      ),
    );
  }
}
