// An assistant answer: its steps, then how it ended, its numbers and its actions. The stored
// message (from the main process) and the live one (streaming now) share one presentation.
import { memo, useMemo, type ReactNode } from 'react';
import type { BufferingVerdict } from '../../../shared/metrics';
import type {
  AssistantMessage,
  AssistantStep,
  Metrics,
  Outcome,
  ProtocolError,
  ProviderKind,
  RelayError,
  StopReason,
} from '../../../shared/protocol';
import { useApp, useAppStore } from '../store/react';
import { CopyButton } from './CopyButton';
import { Icon } from './Icon';
import { MetricsFooter } from './MetricsFooter';
import { OutcomeNotices, type NoticeActions } from './OutcomeNotices';
import { PhaseLine } from './PhaseLine';
import { StepView } from './StepView';

type Actions = NoticeActions & { regenerate: (() => void) | null };

const NO_ACTIONS: Actions = { retry: null, continueAnswer: null, regenerate: null };

export function textOfSteps(steps: readonly AssistantStep[]): string {
  const parts: string[] = [];
  for (const step of steps) {
    if (!step) continue;
    for (const block of step.message.blocks) if (block?.type === 'text' && block.text) parts.push(block.text);
  }
  return parts.join('\n\n');
}

const protocolErrorsOf = (steps: readonly AssistantStep[]): ProtocolError[] =>
  steps.flatMap((s) => s?.message.protocolErrors ?? []);

function AssistantArticle(props: {
  steps: AssistantStep[];
  streaming: boolean;
  outcome: Outcome | null;
  stopReason: StopReason | null;
  error: RelayError | null;
  main: Metrics | null;
  here: Metrics | null;
  buffering: BufferingVerdict | null;
  provider: ProviderKind | null;
  model: string | null;
  actions: Actions;
  notices?: readonly string[];
  phaseLine?: ReactNode;
}) {
  const { steps, streaming, outcome, actions } = props;
  const idleTimeoutMs = useApp((s) => s.settings?.idleTimeoutMs ?? null);
  const problems = useMemo(() => protocolErrorsOf(steps), [steps]);
  const lastStep = steps.length - 1;
  return (
    <article
      className="message assistant"
      data-testid="message"
      data-role="assistant"
      data-outcome={outcome ?? 'streaming'}
      aria-busy={streaming}
    >
      <header className="message-head">
        <span className="avatar" aria-hidden="true">
          ✦
        </span>
        <span className="who">{props.provider === 'simulated' ? 'Simulated' : 'Claude'}</span>
        {props.model && <span className="model">{props.model}</span>}
      </header>
      <div className="message-body">
        {steps.map(
          (step, i) => step && <StepView key={i} step={step} streaming={streaming && i === lastStep} />,
        )}
      </div>
      {props.phaseLine}
      <OutcomeNotices
        outcome={outcome}
        stopReason={outcome === null ? null : props.stopReason}
        error={props.error}
        buffering={props.buffering}
        streamProblems={problems}
        idleTimeoutMs={idleTimeoutMs}
        {...(props.notices ? { notices: props.notices } : {})}
        actions={actions}
      />
      {props.main && outcome && (
        <MetricsFooter main={props.main} here={props.here} stopReason={props.stopReason} outcome={outcome} />
      )}
      {!streaming && (
        <div className="message-actions">
          <CopyButton text={() => textOfSteps(steps)} label="Copy" testId="copy-message" />
          {actions.regenerate && (
            <button
              type="button"
              className="ghost-button small"
              data-testid="regenerate"
              onClick={actions.regenerate}
            >
              <Icon name="refresh" size={14} />
              <span>Regenerate</span>
            </button>
          )}
        </div>
      )}
    </article>
  );
}

/** A stored answer; `isLast`: the last message of the conversation (it may be regenerated). */
export const StoredAssistant = memo(function StoredAssistant({
  message,
  isLast,
}: {
  message: AssistantMessage;
  isLast: boolean;
}) {
  const store = useAppStore();
  const extras = useApp((s) => s.extras[message.turnId]);
  const busy = useApp((s) => s.live !== null);
  const canAct = isLast && !busy;
  const actions = useMemo<Actions>(() => {
    if (!canAct) return NO_ACTIONS;
    const regenerate = () => store.getState().regenerate();
    return { retry: regenerate, regenerate, continueAnswer: () => store.getState().continueAnswer() };
  }, [canAct, store]);
  return (
    <AssistantArticle
      steps={extras?.frozenSteps ?? message.steps}
      streaming={false}
      outcome={message.outcome ?? 'aborted'}
      stopReason={message.stopReason}
      error={message.error}
      main={message.metrics}
      here={extras?.here ?? null}
      buffering={extras?.buffering ?? null}
      provider={message.provider}
      model={message.model}
      actions={actions}
    />
  );
});

/** The answer streaming now. The only message component that renders on every frame. */
export function LiveAssistant() {
  const live = useApp((s) => s.live);
  if (!live) return null;
  const ended = live.stopped || live.terminal !== null;
  return (
    <AssistantArticle
      steps={live.steps}
      streaming={!ended}
      outcome={live.stopped ? 'aborted' : (live.terminal?.outcome ?? null)}
      stopReason={live.terminal?.stopReason ?? null}
      error={live.stopped ? null : (live.terminal?.error ?? null)}
      main={live.terminal?.metrics ?? null}
      here={live.here}
      buffering={live.stopped ? null : live.buffering}
      provider={live.provider}
      model={live.model}
      actions={NO_ACTIONS}
      notices={live.notices}
      phaseLine={<PhaseLine />}
    />
  );
}
