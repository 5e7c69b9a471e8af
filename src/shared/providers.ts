// The OpenAI-compatible servers people run, as presets: where each listens by default, which
// environment variable holds its key, and how it differs on the wire. Pure data, shared by the
// main process (targets, the CLI) and the window (Settings).
export const OPENAI_PRESETS = ['openai', 'ollama', 'lmstudio', 'openrouter', 'deepseek', 'custom'] as const;
export type OpenAIPreset = (typeof OPENAI_PRESETS)[number];

export type PresetInfo = {
  /** The name a new provider of this preset gets. */
  name: string;
  /** The base URL a new provider of this preset gets ('' for custom: the person types it). */
  baseURL: string;
  /** The environment variable a key may come from (the CLI, or a key not set in Settings). */
  keyEnv: string | null;
  /** Whether the server refuses requests without a key. */
  needsKey: boolean;
  /** How its wire differs: DeepSeek wants reasoning sent back; OpenAI takes max_completion_tokens. */
  dialect: 'openai' | 'deepseek' | 'generic';
  /** How to start the server when nothing listens at its address (local servers only). */
  startHint?: string;
  /** A model to suggest before the list has been fetched. */
  exampleModel: string;
  /**
   * Whether it takes images (`image_url` parts) and PDFs (`file` parts) in Chat Completions. A
   * local server takes images when its model can see; PDFs only OpenAI and OpenRouter read.
   */
  attachments: { images: boolean; pdfs: boolean };
};

export const PRESETS: Record<OpenAIPreset, PresetInfo> = {
  openai: {
    name: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    keyEnv: 'OPENAI_API_KEY',
    needsKey: true,
    dialect: 'openai',
    exampleModel: 'gpt-5-mini',
    attachments: { images: true, pdfs: true },
  },
  ollama: {
    name: 'Ollama',
    baseURL: 'http://127.0.0.1:11434/v1',
    keyEnv: null,
    needsKey: false,
    dialect: 'generic',
    startHint: 'is Ollama running? Start it with `ollama serve`',
    exampleModel: 'llama3.2',
    attachments: { images: true, pdfs: false },
  },
  lmstudio: {
    name: 'LM Studio',
    baseURL: 'http://127.0.0.1:1234/v1',
    keyEnv: null,
    needsKey: false,
    dialect: 'generic',
    startHint:
      "is LM Studio's server running? Start it in LM Studio (Developer → Start Server) or with `lms server start`",
    exampleModel: 'qwen3-8b',
    attachments: { images: true, pdfs: false },
  },
  openrouter: {
    name: 'OpenRouter',
    baseURL: 'https://openrouter.ai/api/v1',
    keyEnv: 'OPENROUTER_API_KEY',
    needsKey: true,
    dialect: 'generic',
    exampleModel: 'openai/gpt-5-mini',
    attachments: { images: true, pdfs: true },
  },
  deepseek: {
    name: 'DeepSeek',
    baseURL: 'https://api.deepseek.com/v1',
    keyEnv: 'DEEPSEEK_API_KEY',
    needsKey: true,
    dialect: 'deepseek',
    exampleModel: 'deepseek-reasoner',
    attachments: { images: false, pdfs: false },
  },
  custom: {
    name: 'Custom OpenAI-compatible',
    baseURL: '',
    keyEnv: null,
    needsKey: false,
    dialect: 'generic',
    exampleModel: '',
    attachments: { images: true, pdfs: false },
  },
};

/** The built-in providers; every other provider id names an OpenAI-compatible one in settings. */
export const BUILTIN_PROVIDERS = ['simulated', 'anthropic'] as const;
export type BuiltinProvider = (typeof BUILTIN_PROVIDERS)[number];
export const isBuiltinProvider = (id: string): id is BuiltinProvider =>
  (BUILTIN_PROVIDERS as readonly string[]).includes(id);
