// Renders relay events in a terminal as they arrive: text plain, thinking dimmed, tool calls with
// their raw input streaming and the parsed input at the stop, status lines on stderr.
import type { Writable } from 'node:stream';
import { isToolBlock, type ToolBlock } from '../../shared/accumulate';
import { describeCost, type Cost } from '../../shared/cost';
import { formatMs } from '../../shared/metrics';
import type { RelayError, RelayEvent, TerminalEvent, TokenUsage } from '../../shared/protocol';
import type { TurnState } from '../../shared/turn';
import { describeUsage, hasUsage, usageOfSteps } from '../../shared/usage';
import type { RelaySink } from '../relay/delivery';

const color = (enabled: boolean) => {
  const wrap = (open: string, close: string) => (s: string) =>
    enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    dim: wrap('2', '22'),
    bold: wrap('1', '22'),
    red: wrap('31', '39'),
    yellow: wrap('33', '39'),
    cyan: wrap('36', '39'),
  };
};

/** The tokens and their cost, in words: "tokens: input 12 · output 34 · $0.0004 · prices as of …". */
export function usageWords(usage: TokenUsage, cost: Cost): string {
  const price =
    cost.kind === 'priced' ? ` · ${describeCost(cost)}` : cost.kind === 'unknown' ? ` · ${cost.reason}` : '';
  return `tokens: ${describeUsage(usage)}${price}`;
}

export function footer(t: TerminalEvent, useColor: boolean, usage?: string): string {
  const c = color(useColor);
  const m = t.metrics;
  const parts = [
    `TTFT ${formatMs(m.ttftMs)}`,
    `first progress ${formatMs(m.firstProgressMs)}`,
    `TPOT ${formatMs(m.tpotMs)}`,
    `${m.tokensPerSecond === null ? '—' : m.tokensPerSecond.toFixed(1)} tok/s`,
    `${m.outputTokens ?? '—'} output tokens`,
    `total ${formatMs(m.totalMs)}`,
    `outcome ${t.outcome}`,
    `stop ${t.stopReason ?? '—'}`,
  ];
  const line = c.dim(`── ${parts.join(' · ')}${usage ? `\n── ${usage}` : ''}`);
  if (!t.error) return line;
  return `${line}\n${c.red(`✖ ${t.error.type}: ${t.error.message}`)}\n${c.dim(`  ${nextStep(t.error)}`)}`;
}

/**
 * What to do next, in a terminal. The relay's sentence says what happened and the generic fix;
 * where the app shows a Retry button, the CLI says what to run.
 */
export function nextStep(error: RelayError): string {
  if (error.type === 'stalled')
    return 'To try again, run the same command; --idle-timeout S waits longer for the provider.';
  return error.retryable
    ? 'To try again, run the same command.'
    : 'Once that is fixed, run the same command again.';
}

export class TerminalSink implements RelaySink {
  private readonly c: ReturnType<typeof color>;
  private atLineStart = true;
  /**
   * The engine's turn, as its reducer holds it when each event reaches this sink: tool input is
   * already parsed at the stop (no second parse here), and content arrivals are already counted.
   */
  turn: TurnState | null = null;
  /** What the turn's tokens cost (the price table is the caller's); absent: the footer shows no cost. */
  costOf: ((turn: TurnState, usage: TokenUsage) => Cost) | null = null;

  constructor(
    private readonly out: Writable,
    private readonly err: Writable,
    private readonly useColor: boolean,
  ) {
    this.c = color(useColor);
  }

  private print(s: string): boolean {
    if (s.length === 0) return true;
    this.atLineStart = s.endsWith('\n');
    return this.out.write(s);
  }

  private newline(): boolean {
    return this.atLineStart ? true : this.print('\n');
  }

  write(event: RelayEvent): boolean {
    const c = this.c;
    switch (event.type) {
      case 'turn_start':
      case 'snapshot':
        return true;
      case 'status': {
        const s = event.status;
        const text =
          s.phase === 'connecting'
            ? s.attempt > 1
              ? `connecting (attempt ${s.attempt})…`
              : null
            : s.phase === 'retrying'
              ? `HTTP ${s.status ?? ''} ${s.reason}: retrying in ${formatMs(s.delayMs)} (attempt ${s.attempt + 1})`
              : s.phase === 'turn_retry'
                ? `the stream failed (${s.reason}); retrying the turn once`
                : s.phase === 'notice'
                  ? s.message
                  : s.phase === 'running_tools'
                    ? `running ${s.toolUseIds.length} tool${s.toolUseIds.length === 1 ? '' : 's'}…`
                    : s.phase === 'tool_decision'
                      ? `${s.server}__${s.tool}: ${s.decision === 'deny' ? 'denied' : s.remembered ? 'always allowed' : 'allowed'}`
                      : s.phase === 'tool_progress'
                        ? `progress ${s.progress}${s.total ? `/${s.total}` : ''}${s.message ? ` ${s.message}` : ''}`
                        : null;
        if (text) this.err.write(`${c.yellow(`[${text}]`)}\n`);
        return true;
      }
      case 'tool_result': {
        this.newline();
        const r = event.result;
        const body = r.content.length > 400 ? `${r.content.slice(0, 400)}…` : r.content;
        return this.print(`${r.isError ? c.red(`  ✖ ${r.name}: ${body}`) : c.cyan(`  → ${body}`)}\n`);
      }
      case 'terminal': {
        this.newline();
        const buffering = this.turn?.buffering;
        if (buffering?.buffered) {
          this.print(`${c.yellow(`⚠ ${buffering.reason}`)}\n`);
          this.print(c.dim('  Triage: docs/RUNBOOK.md, "Works on localhost, batches in prod".\n'));
        }
        if (event.outcome !== 'complete') {
          const when = event.outcome === 'aborted' ? 'stop' : 'end';
          const deltas = this.turn?.arrivals?.length ?? 0;
          this.print(c.dim(`── ${deltas} content deltas received before the ${when}\n`));
        }
        const usage = this.turn ? usageOfSteps(this.turn.steps) : null;
        const words =
          usage && hasUsage(usage) && this.turn
            ? usageWords(usage, this.costOf?.(this.turn, usage) ?? { kind: 'none' })
            : undefined;
        return this.print(`${footer(event, this.useColor, words)}\n`);
      }
      case 'provider': {
        const e = event.event;
        const blockAt = (index: number) => this.turn?.steps[event.step]?.message.blocks[index];
        switch (e.type) {
          case 'content_block_start': {
            const b = e.content_block;
            if (b.type === 'tool_use' || b.type === 'server_tool_use') {
              this.newline();
              return this.print(c.cyan(`⚙ ${b.name} `) + c.dim('input: '));
            }
            if (b.type === 'thinking') {
              this.newline();
              return this.print(c.dim('thinking: '));
            }
            if (b.type === 'redacted_thinking') return this.print(c.dim('[redacted reasoning]\n'));
            return true;
          }
          case 'content_block_delta': {
            const d = e.delta;
            if (d.type === 'text_delta') return this.print(d.text);
            if (d.type === 'thinking_delta') return this.print(c.dim(d.thinking));
            if (d.type === 'input_json_delta') return this.print(c.dim(d.partial_json));
            return true;
          }
          case 'content_block_stop': {
            const block = blockAt(e.index);
            if (block?.type === 'thinking') return this.print('\n');
            if (isToolBlock(block)) this.toolInput(block);
            return true;
          }
          case 'error':
            this.newline();
            return this.print(c.red(`[provider error: ${e.error.type}: ${e.error.message}]\n`));
          case 'message_start':
          case 'message_delta':
          case 'message_stop':
          case 'ping':
          default: // and any event type the wire adds: carried, ignored
            return true;
        }
      }
    }
  }

  /** Shows a tool block's parsed input (or why it did not parse) once the engine has it. */
  private toolInput(block: ToolBlock): void {
    this.newline();
    if (block.input.status === 'parsed')
      this.print(this.c.cyan(`  parsed: ${JSON.stringify(block.input.value)}\n`));
    else if (block.input.status === 'failed')
      this.print(this.c.red(`  arguments could not be parsed (${block.input.error.message}); not run\n`));
  }

  drain(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.out.writableNeedDrain) resolve();
      else this.out.once('drain', () => resolve());
    });
  }
}
