// The tools a turn offers, from several sources: the built-in tools (side-effect free, run at
// once) and each enabled MCP server (src/main/mcp/, each call approved by the person first). Every
// tool has a name, a JSON schema for the model, a zod schema that validates the input the model
// produced, and a real implementation.
import type { z } from 'zod';
import type { ToolResultPart } from '../../shared/protocol';
import { calculator } from './calculator';
import { currentTime } from './current-time';

export type ToolOutput = { content: string; isError: boolean; parts?: ToolResultPart[] };

export type ToolProgress = { progress: number; total?: number; message?: string };

export type Tool<S extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  inputSchema: { type: 'object'; properties?: Record<string, unknown>; required?: string[] };
  validate: S;
  /** Set for a tool from an MCP server: the engine asks the person before each call. */
  origin?: { server: string; tool: string };
  run(
    input: z.infer<S>,
    signal: AbortSignal,
    onProgress?: (progress: ToolProgress) => void,
  ): Promise<string | ToolOutput> | string | ToolOutput;
};

export type ToolRegistry = ReadonlyMap<string, Tool>;

/** The built-in tools: one source of the registry. */
export const BUILTIN_TOOLS: readonly Tool[] = [calculator, currentTime];

/** One registry from several sources (built-in, then each MCP server's); a later duplicate name is dropped. */
export function registryOf(...sources: readonly (readonly Tool[])[]): ToolRegistry {
  const registry = new Map<string, Tool>();
  for (const tool of sources.flat()) if (!registry.has(tool.name)) registry.set(tool.name, tool);
  return registry;
}

export function builtinTools(): ToolRegistry {
  return registryOf(BUILTIN_TOOLS);
}

export function toolDefinitions(registry: ToolRegistry) {
  return [...registry.values()].map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.inputSchema,
  }));
}

/** Validates and runs one tool call. Never throws: a failure is an error result for the model. */
export async function runTool(
  registry: ToolRegistry,
  name: string,
  input: Record<string, unknown>,
  signal: AbortSignal,
  onProgress?: (progress: ToolProgress) => void,
): Promise<ToolOutput> {
  const tool = registry.get(name);
  if (!tool)
    return {
      content: `Unknown tool "${name}". Available: ${[...registry.keys()].join(', ')}.`,
      isError: true,
    };
  const parsed = tool.validate.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    return { content: `Invalid input for ${name}: ${issues}`, isError: true };
  }
  try {
    const output = await tool.run(parsed.data, signal, onProgress);
    return typeof output === 'string' ? { content: output, isError: false } : output;
  } catch (err) {
    return { content: `${name} failed: ${err instanceof Error ? err.message : String(err)}`, isError: true };
  }
}
