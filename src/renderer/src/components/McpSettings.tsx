// Settings' MCP servers: each configured server with its status (the stderr tail of a failed one),
// Restart, Remove (for those from Settings; the config file's are edited in the file), the tool
// timeout, and a box to paste servers in the common {"mcpServers": {…}} shape (or the inner
// object) — a name already there is replaced, so pasting is also how a server is edited. The
// page only proposes: the main process validates, refuses a stdio server where the face forbids
// it, and spawns.
import { useEffect, useId, useState } from 'react';
import type { McpServers, McpServerView, SettingsView } from '../../../shared/protocol';
import type { FieldErrors } from '../store';
import { useApp, useAppStore } from '../store/react';
import { Field, NumberInput } from './SettingsFields';

const EXAMPLE =
  '{"mcpServers": {"everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"]}}}';

/** The servers in pasted text: `{"mcpServers": {…}}` or the bare `{"name": {…}}`; a sentence when it is not JSON. */
export function pastedServers(text: string): McpServers | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `That is not valid JSON (${err instanceof Error ? err.message : String(err)}). Paste an object such as ${EXAMPLE}.`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return `Paste an object such as ${EXAMPLE}.`;
  const inner: unknown = 'mcpServers' in json ? json.mcpServers : json;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner))
    return '"mcpServers" must be an object of servers by name.';
  return inner as McpServers;
}

export function McpSection({
  settings,
  errors,
  timeout,
  setTimeout,
}: {
  settings: SettingsView;
  errors: FieldErrors;
  timeout: string;
  setTimeout: (text: string) => void;
}) {
  const store = useAppStore();
  const overview = useApp((s) => s.mcp);
  const loadError = useApp((s) => s.mcpError);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pasteId = useId();

  useEffect(() => {
    void store.getState().loadMcp();
  }, [store]);

  const save = async (servers: McpServers) => {
    setBusy(true);
    const refusal = await store.getState().saveMcpServers(servers);
    setBusy(false);
    setProblem(refusal);
    return refusal === null;
  };
  const add = async () => {
    const pasted = pastedServers(text);
    if (typeof pasted === 'string') return setProblem(pasted);
    if (await save({ ...settings.mcpServers, ...pasted })) setText('');
  };
  const remove = (name: string) => {
    const { [name]: _gone, ...rest } = settings.mcpServers;
    void save(rest);
  };

  return (
    <fieldset className="group mcp-servers" data-testid="mcp-section">
      <legend>MCP servers</legend>
      <p className="field-hint">
        Tools from these servers are offered in every chat; each call waits for you to allow it.
        {overview?.filePath ? ` Servers in ${overview.filePath} are listed too.` : ''}
      </p>
      {overview?.fileProblem && (
        <p className="notice notice-error" role="alert" data-testid="mcp-file-problem">
          {overview.fileProblem}
        </p>
      )}
      {loadError && <p className="field-error">{loadError}</p>}
      {overview && overview.servers.length === 0 && <p className="muted">No MCP servers yet.</p>}
      <ul className="mcp-list">
        {overview?.servers.map((server) => (
          <McpServerRow
            key={server.name}
            server={server}
            onRestart={() => void store.getState().restartMcpServer(server.name)}
            {...(server.source === 'settings' ? { onRemove: () => remove(server.name) } : {})}
          />
        ))}
      </ul>
      <div className="field">
        <label htmlFor={pasteId}>Add or replace servers (JSON in the mcpServers shape)</label>
        <textarea
          id={pasteId}
          data-testid="mcp-paste"
          rows={4}
          spellCheck={false}
          placeholder={EXAMPLE}
          value={text}
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${pasteId}-problem` : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        {problem && (
          <p className="field-error" id={`${pasteId}-problem`} data-testid="mcp-problem" role="alert">
            {problem}
          </p>
        )}
      </div>
      <button
        type="button"
        className="ghost-button"
        data-testid="mcp-add"
        disabled={busy || text.trim() === ''}
        onClick={() => void add()}
      >
        {busy ? 'Saving…' : 'Add servers'}
      </button>
      <Field
        path="mcpToolTimeoutMs"
        label="Tool call timeout"
        errors={errors}
        hint="A call that has not answered by then is cancelled."
      >
        <NumberInput
          path="mcpToolTimeoutMs"
          unit="s"
          decimal
          errors={errors}
          value={timeout}
          onChange={setTimeout}
        />
      </Field>
    </fieldset>
  );
}

const STATUS_LABEL = {
  stopped: 'not started yet',
  starting: 'starting…',
  ready: 'ready',
  failed: 'failed',
} as const;

function McpServerRow({
  server,
  onRestart,
  onRemove,
}: {
  server: McpServerView;
  onRestart: () => void;
  onRemove?: () => void;
}) {
  return (
    <li className="mcp-server" data-testid="mcp-server" data-name={server.name} data-status={server.status}>
      <div className="mcp-server-head">
        <span className="tool-name">{server.name}</span>
        <span className="mcp-status" data-status={server.status}>
          {STATUS_LABEL[server.status]}
        </span>
      </div>
      <code className="mcp-target">
        {server.transport === 'stdio' ? '$ ' : ''}
        {server.target}
      </code>
      <p className="field-hint">
        {server.source === 'file' ? 'From the config file. ' : ''}
        {server.tools.length > 0 ? `${server.tools.length} tools.` : ''}
        {server.alwaysAllowed.length > 0 ? ` Always allowed: ${server.alwaysAllowed.join(', ')}.` : ''}
      </p>
      {server.status === 'failed' && server.error && (
        <pre className="mcp-error" data-testid="mcp-error">
          {server.error}
        </pre>
      )}
      <div className="mcp-actions">
        <button
          type="button"
          className="ghost-button"
          onClick={onRestart}
          aria-label={`Restart ${server.name}`}
        >
          Restart
        </button>
        {onRemove && (
          <button
            type="button"
            className="ghost-button"
            onClick={onRemove}
            aria-label={`Remove ${server.name}`}
          >
            Remove
          </button>
        )}
      </div>
    </li>
  );
}
