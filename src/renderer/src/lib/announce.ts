// What the polite live region says about the streaming answer: one sentence per phase, said once
// when the phase changes — never per token, and never again for a clock that ticks ("Waiting for
// the model · 3.2 s" on screen is "Waiting for the model." once).
import type { LiveTurn } from '../store';

export type Announcement = { key: string; text: string };

const reasonOf = (reason: string) => reason.replace(/_/g, ' ');

/** The announcement for the turn's state now; equal keys mean "nothing new to say". */
export function announcementOf(live: LiveTurn | null): Announcement | null {
  if (!live) return null;
  const at = (key: string, text: string): Announcement => ({ key: `${live.key}:${key}`, text });
  if (live.stopped) return at('stopped', 'Stopped. The answer so far is kept.');
  const terminal = live.terminal;
  if (terminal) {
    const sentence = terminal.error?.message;
    switch (terminal.outcome) {
      case 'complete':
        if (terminal.stopReason === 'max_tokens')
          return at('complete', 'Answer complete, cut off at the max tokens limit.');
        if (terminal.stopReason === 'refusal') return at('complete', 'The model declined to answer.');
        return at('complete', 'Answer complete.');
      case 'aborted':
        return at('stopped', 'Stopped. The answer so far is kept.');
      case 'error':
        return at(
          'error',
          `Error: ${sentence ?? 'the answer failed, and the provider said nothing about why.'}`,
        );
      case 'stalled':
        return at('stalled', `The stream stalled. ${sentence ?? ''}`.trim());
    }
  }
  const phase = live.phase;
  switch (phase.kind) {
    case 'connecting':
    case 'waiting':
      return at('waiting', 'Waiting for the model.');
    case 'retrying':
      return at(
        `retrying:${phase.attempt}`,
        `Retrying (attempt ${phase.attempt}, ${reasonOf(phase.reason)}).`,
      );
    case 'turn_retry':
      return at(
        `turn_retry:${phase.attempt}`,
        `Starting over (attempt ${phase.attempt}, ${reasonOf(phase.reason)}).`,
      );
    case 'thinking':
      return at('thinking', 'Thinking.');
    case 'answering':
      return at('answering', 'Answering.');
    case 'tool_input':
      return at(`tool_input:${phase.name}`, `Writing a call to ${phase.name}.`);
    case 'running_tools':
      return at('running_tools', phase.count === 1 ? 'Running a tool.' : `Running ${phase.count} tools.`);
    case 'awaiting_approval':
      return at(`approval:${phase.tool}`, `The tool ${phase.tool} waits for you to allow or deny it.`);
    case 'done':
      return null;
  }
}

/** Feeds turn states in; `say` runs once per new announcement, never for a repeat. */
export function createAnnouncer(say: (text: string) => void) {
  let lastKey: string | null = null;
  return (live: LiveTurn | null) => {
    const next = announcementOf(live);
    if (!next || next.key === lastKey) return;
    lastKey = next.key;
    say(next.text);
  };
}
