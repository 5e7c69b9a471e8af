// Beside the model picker: which MCP servers this chat offers the model. Each configured server is
// a switch; the choice rides on the next request and the main process keeps it on the
// conversation (`Conversation.mcpOff`). A server that is off is never started for this chat, and
// its tools are not offered. Shown only when a server is configured.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { currentMcpOff } from '../store';
import { useApp, useAppStore } from '../store/react';
import { swallowEscape, useDismiss } from './use-dismiss';

export function McpToggle() {
  const store = useAppStore();
  const servers = useApp((s) => s.mcp?.servers);
  const off = useApp(useShallow((s) => currentMcpOff(s)));
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const popupId = useId();
  const dismiss = useCallback(() => setOpen(false), []);
  const onBlur = useDismiss(open, wrap, dismiss);

  // The overview lists the configured servers without starting any.
  useEffect(() => {
    if (!store.getState().mcp) void store.getState().loadMcp();
  }, [store]);

  if (!servers || servers.length === 0) return null;
  const on = servers.filter((s) => !off.includes(s.name)).length;
  const label =
    on === servers.length ? 'MCP: all on' : on === 0 ? 'MCP: off' : `MCP: ${on} of ${servers.length}`;

  return (
    <div className="model-picker mcp-toggle" ref={wrap} onBlur={onBlur}>
      <button
        type="button"
        ref={trigger}
        className="model-picker-trigger"
        data-testid="mcp-toggle"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? popupId : undefined}
        aria-label={`${label} (MCP servers for this chat). Change`}
        title="The MCP servers whose tools this conversation offers the model"
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && open) {
            swallowEscape(e);
            setOpen(false);
          }
        }}
      >
        <span className="model-picker-label">{label}</span>
        <span aria-hidden="true" className="model-picker-caret">
          ▾
        </span>
      </button>
      {open && (
        <div
          id={popupId}
          className="model-popover mcp-popover"
          role="dialog"
          aria-label="MCP servers for this chat"
          data-testid="mcp-toggle-popup"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              swallowEscape(e);
              setOpen(false);
              trigger.current?.focus();
            }
          }}
        >
          <p className="model-group-note">Tools this chat offers the model. Applies from the next message.</p>
          <ul className="mcp-toggle-list">
            {servers.map((s) => (
              <li key={s.name}>
                <label className="mcp-toggle-row">
                  <input
                    type="checkbox"
                    data-testid={`mcp-toggle-${s.name}`}
                    checked={!off.includes(s.name)}
                    onChange={(e) => store.getState().setMcpServerOn(s.name, e.target.checked)}
                  />
                  <span className="mcp-toggle-name">{s.name}</span>
                  <span className="mcp-toggle-status">
                    {s.status === 'ready'
                      ? `${s.tools.length} tools`
                      : s.status === 'stopped'
                        ? 'not started'
                        : s.status}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
