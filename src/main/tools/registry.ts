// Built-in tools: a name, a JSON schema for the model, a zod schema that validates the input the
// model produced, and a real implementation.
import type { z } from 'zod';
import { calculator } from './calculator';
import { currentTime } from './current-time';

export type ToolOutput = { content: string; isError: boolean };

export type Tool<S extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[] };
  validate: S;
  run(input: z.infer<S>, signal: AbortSignal): Promise<string> | string;
};

export type ToolRegistry = ReadonlyMap<string, Tool>;

export function builtinTools(): ToolRegistry {
  return new Map<string, Tool>([
    [calculator.name, calculator],
    [currentTime.name, currentTime],
  ]);
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
    return { content: await tool.run(parsed.data, signal), isError: false };
  } catch (err) {
    return { content: `${name} failed: ${err instanceof Error ? err.message : String(err)}`, isError: true };
  }
}
