// A small MCP server (stdio) that keeps the evidence the tests need: its start (with its pid),
// every tools/call it receives and every notifications/cancelled, one JSON line each in the file
// MCP_WITNESS_LOG names. Tools: `count` (answers at once), `slow` (progress every 50 ms until
// cancelled or `ms` pass), `crash` (exits mid-call), `env` (says whether a variable reached it).
// Usage: node tests/support/mcp-witness-server.mjs [--fail-start]
import { appendFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

if (process.argv.includes('--fail-start')) {
  process.stderr.write('witness: cannot open the database at /nonexistent/witness.db\n');
  process.exit(3);
}

const logFile = process.env.MCP_WITNESS_LOG;
const witness = (entry) => {
  if (logFile)
    appendFileSync(
      logFile,
      `${JSON.stringify({ t: performance.timeOrigin + performance.now(), ...entry })}\n`,
    );
};

const server = new Server({ name: 'witness', version: '1.0.0' }, { capabilities: { tools: {} } });
const object = (properties, required = []) => ({ type: 'object', properties, required });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: 'count',
      description: 'Says back the text it was given.',
      inputSchema: object({ text: { type: 'string' } }, ['text']),
    },
    {
      name: 'slow',
      description: 'Reports progress until it is cancelled or `ms` have passed.',
      inputSchema: object({ ms: { type: 'number' } }),
    },
    { name: 'crash', description: 'Exits in the middle of the call.', inputSchema: object({}) },
    {
      name: 'env',
      description: 'Says whether an environment variable is set.',
      inputSchema: object({ name: { type: 'string' } }, ['name']),
    },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const { name, arguments: args = {} } = request.params;
  witness({ kind: 'call', tool: name, requestId: extra.requestId, args });
  if (name === 'count') return { content: [{ type: 'text', text: `counted: ${String(args.text)}` }] };
  if (name === 'env') {
    const set = process.env[String(args.name)] !== undefined;
    return { content: [{ type: 'text', text: `${String(args.name)} is ${set ? 'set' : 'not set'}` }] };
  }
  if (name === 'crash') {
    process.stderr.write('witness: crashing on purpose\n');
    setTimeout(() => process.exit(1), 30);
    return new Promise(() => {});
  }
  if (name === 'slow') {
    const ms = typeof args.ms === 'number' ? args.ms : 60_000;
    const token = request.params._meta?.progressToken;
    const started = Date.now();
    for (let i = 1; Date.now() - started < ms; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (extra.signal.aborted) return { content: [{ type: 'text', text: 'cancelled' }] };
      if (token !== undefined)
        await server.notification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: i, message: `step ${i}` },
        });
    }
    return { content: [{ type: 'text', text: `slow done after ${ms} ms` }] };
  }
  return { content: [{ type: 'text', text: `no tool ${name}` }], isError: true };
});

// Keeps the evidence, then does what the SDK's own handler does: aborts the request's signal.
server.setNotificationHandler(CancelledNotificationSchema, async (notification) => {
  witness({
    kind: 'cancelled',
    requestId: notification.params.requestId,
    reason: notification.params.reason,
  });
  await server._oncancel(notification);
});

await server.connect(new StdioServerTransport());
witness({ kind: 'start', pid: process.pid });
process.stdin.on('end', () => process.exit(0));
