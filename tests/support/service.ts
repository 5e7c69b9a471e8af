// A ChatService on a temp data directory with the embedded simulated provider (no timing delays),
// for a test file: everything it made is closed and removed after each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ChatService } from '../../src/main/chat/service';
import { EmbeddedSimulator, envKeySource } from '../../src/main/chat/target';
import { ConversationStore } from '../../src/main/store/conversations';
import { closeSearch } from '../../src/main/store/search';
import { SettingsStore } from '../../src/main/store/settings';

export function servicePerTest(prefix: string) {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const cleanup = (close: () => Promise<unknown>) => void cleanups.push(close);
  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `sluice-${prefix}-`));
    cleanup(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }
  async function service(dir: string) {
    const simulator = new EmbeddedSimulator({ defaults: { ttftMs: 0, tpotMs: 0 } });
    const conversations = new ConversationStore(dir);
    const settings = new SettingsStore(dir);
    const chat = new ChatService({ conversations, settings, keys: envKeySource({}), simulator, env: {} });
    cleanup(() => chat.close());
    // Desktop handlers made on it start its full-text index, which writes into the directory.
    cleanup(() => closeSearch(conversations));
    return { chat, conversations, settings };
  }
  return { dataDir, service, cleanup };
}
