// The JSON API under /api/ (the token is checked before anything here runs). A domain failure a
// handler throws (no such conversation, invalid settings) is answered by server.ts (httpErrorOf).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ConfigureSchema,
  ExportRequestSchema,
  ImportRequestSchema,
  MessageIdSchema,
  ModelsRequestSchema,
  PinSchema,
  RenameSchema,
  SearchRequestSchema,
  ToolDecisionSchema,
  TurnAckSchema,
  WindowMetricsSchema,
} from '../../shared/protocol';
import type { ConversationStore } from '../store/conversations';
import { searchOf } from '../store/search';
import { exportFrom, importInto } from '../store/transfer';
import { HttpError, readJsonBody, sendJson, sendNoContent, validate } from './http';
import { attachTurn, streamTurn, type TurnContext } from './turns';

export type ApiContext = TurnContext & { conversations: ConversationStore };

type Handler = (
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
) => Promise<void>;
type Route = { method: string; pattern: RegExp; handler: Handler };

const ID = '([^/]+)';
/** An import carries a whole backup as one JSON string. */
const IMPORT_MAX_BYTES = 128 * 1024 * 1024;
const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  pattern: new RegExp(`^${path.replaceAll(':id', ID)}$`),
  handler,
});

const ROUTES: Route[] = [
  route('GET', '/api/health', async (_ctx, _req, res) => sendJson(res, 200, { ok: true })),
  route('POST', '/api/turns', (ctx, req, res) => streamTurn(ctx, req, res)),
  route('GET', '/api/turns', async (ctx, _req, res) => sendJson(res, 200, ctx.service.listLiveTurns())),
  route('GET', '/api/turns/:id/events', (ctx, req, res, [turnId]) => attachTurn(ctx, req, res, turnId ?? '')),
  route('POST', '/api/turns/:id/abort', async (ctx, _req, res, [turnId]) => {
    if (!turnId || !ctx.service.abort(turnId)) {
      throw new HttpError({
        type: 'not_found',
        message: `No live turn with id "${turnId ?? ''}" (it may have ended already).`,
      });
    }
    sendNoContent(res);
  }),
  route('POST', '/api/turns/:id/ack', async (ctx, req, res, [turnId]) => {
    const { lastEventId } = validate(TurnAckSchema, await readJsonBody(req), 'The acknowledgement');
    ctx.service.acknowledge(turnId ?? '', lastEventId);
    // A body (not 204), as for the window's numbers: every answer the page gets can be read.
    sendJson(res, 200, { turnId, lastEventId });
  }),
  route('POST', '/api/turns/:id/tools/:id/decision', async (ctx, req, res, [turnId, toolUseId]) => {
    const { decision } = validate(ToolDecisionSchema, await readJsonBody(req), 'The tool decision');
    if (!ctx.service.decideTool(turnId ?? '', toolUseId ?? '', decision)) {
      throw new HttpError({
        type: 'not_found',
        message: `No tool call "${toolUseId ?? ''}" waits for a decision in turn "${turnId ?? ''}" (it may have been answered, or the turn ended).`,
      });
    }
    sendNoContent(res);
  }),
  route('GET', '/api/mcp', async (ctx, _req, res) => sendJson(res, 200, await ctx.service.mcpOverview())),
  route('POST', '/api/mcp/servers/:id/restart', async (ctx, _req, res, [name]) =>
    sendJson(res, 200, await ctx.service.restartMcpServer(name ?? '')),
  ),
  route('GET', '/api/conversations', async (ctx, _req, res) =>
    sendJson(res, 200, await ctx.conversations.list()),
  ),
  route('GET', '/api/conversations/:id', async (ctx, _req, res, [id]) =>
    sendJson(res, 200, await ctx.conversations.get(id ?? '')),
  ),
  route('PATCH', '/api/conversations/:id', async (ctx, req, res, [id]) => {
    const { title } = validate(RenameSchema, await readJsonBody(req), 'The rename');
    sendJson(res, 200, await ctx.conversations.rename(id ?? '', title));
  }),
  route('POST', '/api/conversations/:id/pin', async (ctx, req, res, [id]) => {
    const { pinned } = validate(PinSchema, await readJsonBody(req), 'The pin');
    sendJson(res, 200, await ctx.conversations.pin(id ?? '', pinned));
  }),
  route('PUT', '/api/conversations/:id/params', async (ctx, req, res, [id]) => {
    const { params } = validate(ConfigureSchema, await readJsonBody(req), "The conversation's settings");
    sendJson(res, 200, await ctx.service.configure(id ?? '', params));
  }),
  route('DELETE', '/api/conversations/:id', async (ctx, _req, res, [id]) => {
    await ctx.conversations.delete(id ?? '');
    sendNoContent(res);
  }),
  // One message: a version put on screen, or deleted with its branch below it.
  route('POST', '/api/conversations/:id/messages/:id/select', async (ctx, _req, res, [id, messageId]) => {
    const message = validate(MessageIdSchema, messageId, 'The message id');
    sendJson(res, 200, await ctx.service.selectVersion(id ?? '', message));
  }),
  route('DELETE', '/api/conversations/:id/messages/:id', async (ctx, _req, res, [id, messageId]) => {
    const message = validate(MessageIdSchema, messageId, 'The message id');
    sendJson(res, 200, await ctx.service.deleteMessage(id ?? '', message));
  }),
  route('POST', '/api/export', async (ctx, req, res) => {
    const request = validate(ExportRequestSchema, await readJsonBody(req), 'The export request');
    sendJson(res, 200, await exportFrom(ctx.conversations, request));
  }),
  route('POST', '/api/search', async (ctx, req, res) => {
    const { query } = validate(SearchRequestSchema, await readJsonBody(req), 'The search');
    sendJson(res, 200, await searchOf(ctx.conversations).search(query));
  }),
  route('POST', '/api/import', async (ctx, req, res) => {
    // A backup of a long history is bigger than any other request.
    const request = validate(ImportRequestSchema, await readJsonBody(req, IMPORT_MAX_BYTES), 'The import');
    sendJson(res, 200, await importInto(ctx.conversations, request));
  }),
  route('POST', '/api/conversations/:id/window-metrics', async (ctx, req, res, [id]) => {
    const { turnId, metrics } = validate(
      WindowMetricsSchema,
      await readJsonBody(req),
      "The window's numbers",
    );
    await ctx.service.recordWindowMetrics(id ?? '', turnId, metrics);
    // A body (not 204): what was stored, so every answer the page gets can be read and checked.
    sendJson(res, 200, { turnId, windowMetrics: metrics });
  }),
  route('GET', '/api/settings', async (ctx, _req, res) =>
    sendJson(res, 200, await ctx.service.settingsView()),
  ),
  route('PATCH', '/api/settings', async (ctx, req, res) => {
    const patch = await readJsonBody(req);
    await ctx.service.checkPagePatch(patch);
    await ctx.settings.update(patch);
    sendJson(res, 200, await ctx.service.settingsView());
  }),
  route('POST', '/api/models', async (ctx, req, res) => {
    const request = validate(ModelsRequestSchema, await readJsonBody(req), 'The model list request');
    // A page that goes away stops the request to the provider.
    const stop = new AbortController();
    res.once('close', () => stop.abort());
    sendJson(res, 200, await ctx.service.listModels(request, stop.signal));
  }),
];

export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const matches = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m !== null);
  if (matches.length === 0) {
    throw new HttpError({ type: 'not_found', message: `There is no API endpoint at ${path}.` });
  }
  const hit = matches.find((x) => x.r.method === req.method);
  if (!hit?.m) {
    const allowed = matches.map((x) => x.r.method).join(', ');
    throw new HttpError(
      {
        type: 'method_not_allowed',
        message: `${req.method ?? 'This method'} is not allowed on ${path}; use ${allowed}.`,
      },
      { Allow: allowed },
    );
  }
  const params = hit.m.slice(1).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw new HttpError({ type: 'invalid_request', message: `The path segment "${p}" is not valid.` });
    }
  });
  await hit.r.handler(ctx, req, res, params);
}
