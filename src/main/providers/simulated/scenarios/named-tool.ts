// sim-tool's answer to a prompt that names an offered tool by its full name (`use everything__echo`):
// one call to that tool, with arguments made from its input schema — every required field filled,
// the first quoted string in the prompt used for the first string field, and any field the prompt
// sets as `name=value` taken from there — so an MCP call runs end to end without a real model.
import type { SimRequest, SimTool } from '../types';

const BUILTIN = new Set(['calculator', 'current_time']);

/** The offered tool the prompt names (the longest name, if several match), or null. */
export function namedTool(req: SimRequest): SimTool | null {
  const named = req.tools
    .filter((t) => !BUILTIN.has(t.name))
    .filter((t) =>
      new RegExp(`(^|[^\\w-])${t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(req.prompt),
    )
    .sort((a, b) => b.name.length - a.name.length);
  return named[0] ?? null;
}

type Schema = { type?: unknown; enum?: unknown; minimum?: unknown; default?: unknown };

/** The value a field set in the prompt as `name=value` (or `name: value`) has, typed by its schema. */
function fromPrompt(prompt: string, field: string, schema: Schema): unknown {
  const match = new RegExp(
    `(?:^|\\s)${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[=:]\\s*("([^"]*)"|\\S+)`,
  ).exec(prompt);
  if (!match) return undefined;
  const raw = match[2] ?? match[1] ?? '';
  if (schema.type === 'number' || schema.type === 'integer') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (schema.type === 'boolean') return raw === 'true';
  return raw;
}

export function argumentsFor(tool: SimTool, prompt: string): Record<string, unknown> {
  const properties = (tool.inputSchema['properties'] ?? {}) as Record<string, Schema>;
  const required = Array.isArray(tool.inputSchema['required'])
    ? (tool.inputSchema['required'] as string[])
    : [];
  const quoted = /"([^"]+)"|“([^”]+)”|'([^']+)'/.exec(prompt);
  const numbers = (prompt.match(/(?<![\w=:.-])-?\d+(?:\.\d+)?(?![\w.])/g) ?? []).map(Number);
  let quoteUsed = false;
  const args: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(properties)) {
    const given = fromPrompt(prompt, field, schema);
    if (given !== undefined) {
      args[field] = given;
      continue;
    }
    if (!required.includes(field)) continue;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) args[field] = schema.enum[0];
    else if (schema.type === 'string') {
      const quote = quoteUsed ? undefined : (quoted?.[1] ?? quoted?.[2] ?? quoted?.[3]);
      quoteUsed = true;
      args[field] = quote ?? (typeof schema.default === 'string' ? schema.default : 'hello');
    } else if (schema.type === 'number' || schema.type === 'integer')
      args[field] = numbers.shift() ?? (typeof schema.minimum === 'number' ? schema.minimum : 1);
    else if (schema.type === 'boolean') args[field] = true;
    else if (schema.type === 'array') args[field] = [];
    else args[field] = {};
  }
  return args;
}
