// What the turn is doing right now, in words and with a ticking clock, from the moment Send is
// pressed until the end: a slow or reasoning model never looks frozen, and there is no bare spinner.
// Not a live region: its clock ticks ten times a second; LiveAnnouncer says each phase once.
import { memo, useEffect, useState } from 'react';
import type { Phase } from '../store';
import { useApp } from '../store/react';

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;

export function phaseText(phase: Phase, now: number): string | null {
  switch (phase.kind) {
    case 'connecting':
      return phase.attempt > 1 ? `Connecting… (attempt ${phase.attempt})` : 'Connecting…';
    case 'waiting':
      return `Waiting for the model · ${seconds(now - phase.since)}`;
    case 'retrying': {
      const left = Math.max(0, Math.ceil((phase.delayMs - (now - phase.since)) / 1000));
      return `Retrying in ${left} s (attempt ${phase.attempt}, ${phase.reason.replace('_', ' ')})`;
    }
    case 'turn_retry':
      return `Starting over (attempt ${phase.attempt}, ${phase.reason.replace('_', ' ')})…`;
    case 'thinking':
      return `Thinking · ${seconds(now - phase.since)}`;
    case 'answering':
      return 'Answering…';
    case 'tool_input':
      return `Writing a call to ${phase.name}…`;
    case 'running_tools':
      return phase.count === 1 ? 'Running tools…' : `Running tools (${phase.count})…`;
    case 'awaiting_approval':
      return `Waiting for you to allow or deny ${phase.tool}`;
    case 'done':
      return null;
  }
}

const TICKING: ReadonlySet<Phase['kind']> = new Set(['waiting', 'thinking', 'retrying']);

export const PhaseLine = memo(function PhaseLine() {
  const phase = useApp((s) => s.live?.phase ?? null);
  const clock = useApp((s) => s.clock);
  const [now, setNow] = useState(clock);
  const ticking = phase !== null && TICKING.has(phase.kind);
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(clock()), 100);
    return () => clearInterval(timer);
  }, [ticking, clock]);
  if (!phase) return null;
  const text = phaseText(phase, Math.max(now, clock()));
  if (text === null) return null;
  return (
    <div className="phase-line" data-testid="phase-line" data-phase={phase.kind}>
      <span className="pulse" aria-hidden="true" />
      <span>{text}</span>
    </div>
  );
});
