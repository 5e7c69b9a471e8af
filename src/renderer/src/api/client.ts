import type { ChatClient } from '../../../shared/protocol';
import { createHttpClient } from './http';
import { desktopClient } from './ipc';

/** The desktop app's preload bridge (window.sluice) when there is one, else `sluice serve` over HTTP. */
export function getChatClient(): ChatClient {
  return desktopClient() ?? createHttpClient();
}
