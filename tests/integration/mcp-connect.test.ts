// Connecting MCP servers: server-everything over Streamable HTTP, server-filesystem on a temp
// directory, images rendered as validated parts, no API key in a child's environment unless
// configured for it, the mcp.json file in the data directory (and a bad one explained, left as is),
// and tool names namespaced so two servers never collide.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { exposedName } from '../../src/main/mcp/tools';
import { EVERYTHING_BIN, FILESYSTEM_BIN, mcpRig, WITNESS_BIN } from '../support/mcp';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-mcp-connect-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

test('server-everything over Streamable HTTP: echo approved and answered', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING_BIN, 'streamableHttp'], {
    env: { PATH: process.env['PATH'], PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  await new Promise<void>((resolve) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes(`listening on port ${port}`)) resolve();
    });
  });
  const rig = await mcpRig({ web: { url: `http://127.0.0.1:${port}/mcp` } });
  cleanups.push(() => rig.close());
  const result = await (await rig.turn('use web__echo with "over http"')).done;
  expect(result.outcome).toBe('complete');
  expect(result.message.steps[0]?.toolResults[0]).toMatchObject({
    content: 'Echo: over http',
    isError: false,
  });
  expect((await rig.mcp.overview()).servers[0]).toMatchObject({
    name: 'web',
    transport: 'http',
    status: 'ready',
  });
});

test('server-filesystem on a temp directory: reads the file it is allowed to', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'note.txt'), 'the filesystem server read this');
  const rig = await mcpRig({ files: { command: process.execPath, args: [FILESYSTEM_BIN, dir] } });
  cleanups.push(() => rig.close());
  const result = await (await rig.turn(`use files__read_text_file with "${join(dir, 'note.txt')}"`)).done;
  expect(result.outcome).toBe('complete');
  expect(result.message.steps[0]?.toolResults[0]).toMatchObject({
    name: 'files__read_text_file',
    content: 'the filesystem server read this',
    isError: false,
  });
});

test('an image result becomes a validated image part; the model gets a line about it', async () => {
  const rig = await mcpRig({ everything: { command: process.execPath, args: [EVERYTHING_BIN] } });
  cleanups.push(() => rig.close());
  const result = await (await rig.turn('use everything__get-tiny-image')).done;
  const output = result.message.steps[0]?.toolResults[0];
  const image = output?.parts?.find((p) => p.type === 'image');
  expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
  expect(image?.type === 'image' && Buffer.from(image.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
  expect(output?.content).toMatch(/\[an image, image\/png, \d+ bytes, shown to the person\]/);
});

test('a child gets no API key from Sluice, only what its own env configures', async () => {
  process.env['ANTHROPIC_API_KEY'] = 'sk-ant-must-not-leak';
  cleanups.push(async () => delete process.env['ANTHROPIC_API_KEY']);
  const rig = await mcpRig({
    plain: { command: process.execPath, args: [WITNESS_BIN] },
    keyed: { command: process.execPath, args: [WITNESS_BIN], env: { ANTHROPIC_API_KEY: 'configured' } },
  });
  cleanups.push(() => rig.close());
  const plain = await (await rig.turn('use plain__env name=ANTHROPIC_API_KEY')).done;
  const keyed = await (await rig.turn('use keyed__env name=ANTHROPIC_API_KEY')).done;
  expect(plain.message.steps[0]?.toolResults[0]?.content).toBe('ANTHROPIC_API_KEY is not set');
  expect(keyed.message.steps[0]?.toolResults[0]?.content).toBe('ANTHROPIC_API_KEY is set');
});

test('mcp.json in the data directory is read in the common mcpServers shape; a bad file is explained and left as is', async () => {
  const dir = await tempDir();
  const file = join(dir, 'mcp.json');
  await writeFile(
    file,
    JSON.stringify({ mcpServers: { fromfile: { command: process.execPath, args: [WITNESS_BIN] } } }),
  );
  const rig = await mcpRig({}, { file });
  cleanups.push(() => rig.close());
  const good = await rig.mcp.overview();
  expect(good.fileProblem).toBeNull();
  expect(good.servers).toEqual([
    expect.objectContaining({ name: 'fromfile', source: 'file', status: 'stopped' }),
  ]);
  const result = await (await rig.turn('use fromfile__count with "x"')).done;
  expect(result.message.steps[0]?.toolResults[0]?.content).toBe('counted: x');

  const bad = '{"mcpServers": {"two__under": {"command": "x"}, "both": {"command": "x", "url": "http://a"}}}';
  await writeFile(file, bad);
  const overview = await rig.mcp.overview();
  expect(overview.servers).toEqual([]);
  expect(overview.fileProblem).toContain(file);
  expect(overview.fileProblem).toMatch(/single underscores/);
  expect(overview.fileProblem).toMatch(/mcpServers\.both: Give either "command"/);
  expect(overview.fileProblem).toMatch(/the file is left as it is/);
  expect(await readFile(file, 'utf8')).toBe(bad);
  await writeFile(file, '{"mcpServers": {');
  expect((await rig.mcp.overview()).fileProblem).toMatch(/is not valid JSON/);
});

test('tool names are namespaced by server, so two servers with the same tool never collide', async () => {
  const rig = await mcpRig({
    a: { command: process.execPath, args: [WITNESS_BIN] },
    b: { command: process.execPath, args: [WITNESS_BIN] },
  });
  cleanups.push(() => rig.close());
  const { tools } = await rig.mcp.toolsFor();
  const names = tools.map((t) => t.name);
  expect(names).toContain('a__count');
  expect(names).toContain('b__count');
  expect(new Set(names).size).toBe(names.length);
  for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  expect(exposedName('srv', 'dotted.tool/name')).toBe('srv__dotted_tool_name');
  expect(exposedName('srv', 'x'.repeat(100))).toHaveLength(64);
  // Turned off for a conversation: not offered.
  expect((await rig.mcp.toolsFor(['a'])).tools.map((t) => t.name)).not.toContain('a__count');
});
