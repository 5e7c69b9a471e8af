// Where MCP servers are configured: Settings (`mcpServers`) and a JSON file in the common
// `{"mcpServers": {…}}` shape (mcp.json in the data directory, or the CLI's --mcp-config), so a
// config from another client can be pasted as it is. A bad file is explained, never rewritten.
import { readFile } from 'node:fs/promises';
import { McpFileSchema, type McpServerConfig, type McpServers } from '../../shared/protocol';
import { issuesOf } from '../../shared/errors';

/** The config file's name in the data directory. */
export const MCP_FILE = 'mcp.json';

export type ConfiguredServer = { name: string; source: 'settings' | 'file'; config: McpServerConfig };

export type FileRead = { servers: McpServers; problem: string | null };

/** What is wrong with a parsed `mcpServers` value, as one sentence per issue; null when it is fine. */
export function mcpConfigProblem(
  json: unknown,
  where: string,
): { servers: McpServers } | { problem: string } {
  const parsed = McpFileSchema.safeParse(json);
  if (parsed.success) return { servers: parsed.data.mcpServers };
  const issues = issuesOf(parsed.error, '(file)')
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  return {
    problem: `${where} is not an MCP config in the {"mcpServers": {"name": {"command": …} | {"url": …}}} shape (${issues}).`,
  };
}

/** Reads a config file; a missing file is no servers, a bad one is a sentence and no servers from it. */
export async function readMcpFile(path: string): Promise<FileRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {}, problem: null };
    return { servers: {}, problem: `Could not read ${path}: ${(err as Error).message}.` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      servers: {},
      problem: `${path} is not valid JSON (${(err as Error).message}); its servers are not loaded and the file is left as it is.`,
    };
  }
  const read = mcpConfigProblem(json, path);
  return 'servers' in read
    ? { servers: read.servers, problem: null }
    : { servers: {}, problem: `${read.problem} Its servers are not loaded; the file is left as it is.` };
}

/** Settings first; a file server of the same name is shadowed by the one in Settings. */
export function mergeServers(settings: McpServers, file: McpServers): ConfiguredServer[] {
  const out: ConfiguredServer[] = Object.entries(settings).map(([name, config]) => ({
    name,
    source: 'settings',
    config,
  }));
  for (const [name, config] of Object.entries(file)) {
    if (!(name in settings)) out.push({ name, source: 'file', config });
  }
  return out;
}

/**
 * Why a page may not make this settings change, or null: a page (the browser twin, where whoever
 * holds the token could otherwise run commands) may not add or change a stdio server unless
 * `sluice serve` was started with --allow-page-stdio. Removing one, or any url server, is fine.
 */
export function pageStdioRefusal(before: McpServers, patch: unknown, allowed: boolean): string | null {
  if (allowed || typeof patch !== 'object' || patch === null) return null;
  const after = (patch as { mcpServers?: unknown }).mcpServers;
  if (typeof after !== 'object' || after === null) return null;
  const added = Object.entries(after as Record<string, { command?: unknown } | null>)
    .filter(([name, c]) => c?.command !== undefined && JSON.stringify(before[name]) !== JSON.stringify(c))
    .map(([name]) => name);
  if (added.length === 0) return null;
  return `A page may not add a stdio MCP server (${added.join(', ')}): that would let whoever holds this page's token run commands. Put it in the mcp.json file in the data directory instead, or start sluice serve with --allow-page-stdio.`;
}
