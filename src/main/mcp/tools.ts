// An MCP server's tools as registry tools: names namespaced `server__tool` (within the providers'
// ^[a-zA-Z0-9_-]{1,64}$), the server's JSON schema given to the model as it is, and results made
// into the text the model gets plus the parts the card shows. Results are untrusted: images keep
// only a known image type and valid base64, everything else is text, shown inert.
import { z } from 'zod';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { SAFE_IMAGE_TYPES, type ToolResultPart } from '../../shared/protocol';
import type { Tool, ToolOutput, ToolProgress } from '../tools/registry';

export type CallFn = (
  tool: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
  onProgress?: (p: ToolProgress) => void,
) => Promise<ToolOutput>;

const MAX_NAME = 64;
/** What the model gets back from one call, at most. */
const MAX_TEXT = 100_000;

/** `server__tool`, with characters the providers refuse replaced and the whole cut to 64. */
export function exposedName(server: string, tool: string): string {
  return `${server}__${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, MAX_NAME);
}

export function mcpTools(server: string, tools: readonly McpTool[], call: CallFn): Tool[] {
  const taken = new Set<string>();
  return tools.map((t) => {
    let name = exposedName(server, t.name);
    for (let n = 2; taken.has(name); n++) name = `${exposedName(server, t.name).slice(0, MAX_NAME - 4)}_${n}`;
    taken.add(name);
    return {
      name,
      description: (t.description ?? t.title ?? t.name).slice(0, 4000),
      inputSchema: { ...(t.inputSchema as Record<string, unknown>), type: 'object' },
      // The server validates its own arguments; the model's must at least be an object.
      validate: z.record(z.string(), z.unknown()),
      origin: { server, tool: t.name },
      run: (input: Record<string, unknown>, signal: AbortSignal, onProgress?: (p: ToolProgress) => void) =>
        call(t.name, input, signal, onProgress),
    } satisfies Tool;
  });
}

export const failureOf = (content: string): ToolOutput => ({ content, isError: true });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const safeImage = (mimeType: unknown, data: unknown): data is string =>
  typeof data === 'string' &&
  (SAFE_IMAGE_TYPES as readonly unknown[]).includes(mimeType) &&
  data.length % 4 === 0 &&
  BASE64.test(data);

/** A tool result as the model's text and the card's parts. */
export function outputOf(result: CallToolResult | Record<string, unknown>): ToolOutput {
  const content = Array.isArray(result['content']) ? (result['content'] as Record<string, unknown>[]) : [];
  const parts: ToolResultPart[] = [];
  const text: string[] = [];
  for (const item of content) {
    const type = item['type'];
    if (type === 'text' && typeof item['text'] === 'string') {
      parts.push({ type: 'text', text: item['text'] });
      text.push(item['text']);
    } else if (type === 'image') {
      const mime = String(item['mimeType']);
      if (safeImage(mime, item['data'])) {
        parts.push({ type: 'image', mimeType: mime, data: item['data'] });
        text.push(
          `[an image, ${mime}, ${Math.round((item['data'].length * 3) / 4)} bytes, shown to the person]`,
        );
      } else {
        const note = `[an image of type ${mime.slice(0, 60)} was not shown: not a known image type or not valid base64]`;
        parts.push({ type: 'text', text: note });
        text.push(note);
      }
    } else if (type === 'resource' || type === 'resource_link') {
      const r = (type === 'resource' ? item['resource'] : item) as Record<string, unknown> | undefined;
      const uri = typeof r?.['uri'] === 'string' ? r['uri'] : '(no uri)';
      const body = typeof r?.['text'] === 'string' ? r['text'] : undefined;
      const mimeType = typeof r?.['mimeType'] === 'string' ? r['mimeType'] : undefined;
      parts.push({
        type: 'resource',
        uri,
        ...(mimeType ? { mimeType } : {}),
        ...(body !== undefined ? { text: body } : {}),
      });
      text.push(body !== undefined ? `[resource ${uri}]\n${body}` : `[resource ${uri}]`);
    } else {
      const note = `[a part of type ${String(type).slice(0, 40)}, not shown]`;
      parts.push({ type: 'text', text: note });
      text.push(note);
    }
  }
  if (content.length === 0 && result['structuredContent'] !== undefined) {
    const json = JSON.stringify(result['structuredContent'], null, 2);
    parts.push({ type: 'text', text: json });
    text.push(json);
  }
  const joined = text.join('\n');
  return {
    content:
      joined.length > MAX_TEXT ? `${joined.slice(0, MAX_TEXT)}\n[cut at ${MAX_TEXT} characters]` : joined,
    isError: result['isError'] === true,
    parts,
  };
}
