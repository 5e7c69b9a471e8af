// An assistant answer: its steps, then how it ended, its numbers and its actions. The stored
// message (from the main process) and the live one (streaming now) share one presentation.
import { memo, useMemo, type ReactNode } from 'react';
import type { BufferingVerdict } from '../../../shared/metrics';
import type {
  AbortReason,
  AssistantMessage,
  AssistantStep,
  Metrics,
  Outcome,
  ProtocolError,
  ProviderKind,
  RelayError,
  StopReason,
  TokenUsage,
} from '../../../shared/protocol';
import { stepsHaveContent } from '../../../shared/turn';
import { sumUsage, usageOfMessage, usageOfSteps } from '../../../shared/usage';
import { costWith, priceFor } from '../lib/prices';
import { answererName } from '../lib/models';
import { useApp, useAppStore } from '../store/react';
import { shownSteps } from '../store/live-turn';
import { continueModeIn } from '../store/turn';
import { continueLabelOf } from '../../../shared/continue';
import { CopyButton } from './CopyButton';
import { Icon } from './Icon';
import { DeleteMessageButton, VersionSwitcher } from './MessageVersions';
import { MetricsFooter } from './MetricsFooter';
import { OutcomeNotices, type NoticeActions } from './OutcomeNotices';
import { PhaseLine } from './PhaseLine';
import { StepView } from './StepView';

type Actions = NoticeActions & { regenerate: (() => void) | null };

const NO_ACTIONS: Actions = { retry: null, continueAnswer: null, regenerate: null };

/** A live turn's steps may have a hole where an event for a later step came first. */
type Steps = readonly (AssistantStep | undefined)[];

/**
 * The actions an ended answer offers. Retry (in its notice) on a failed or stopped answer,
 * Regenerate on a complete one: never both. Continue stays on an answer cut at max tokens, beside
 * Regenerate (it is complete, only short).
 */
export function actionsFor(outcome: Outcome | null, actions: Actions): Actions {
  const ended = outcome === 'error' || outcome === 'stalled' || outcome === 'aborted';
  return {
    ...actions,
    retry: ended ? actions.retry : null,
    regenerate: outcome === 'complete' ? actions.regenerate : null,
    continueAnswer: outcome === 'complete' ? actions.continueAnswer : null,
  };
}

/** Whether any text block of these steps holds more than white space. */
export const stepsHaveText = (steps: Steps): boolean =>
  steps.some((step) =>
    step?.message.blocks.some((block) => block?.type === 'text' && block.text.trim() !== ''),
  );

export function textOfSteps(steps: Steps): string {
  const parts: string[] = [];
  for (const step of steps) {
    if (!step) continue;
    for (const block of step.message.blocks) if (block?.type === 'text' && block.text) parts.push(block.text);
  }
  return parts.join('\n\n');
}

const protocolErrorsOf = (steps: Steps): ProtocolError[] =>
  steps.flatMap((s) => s?.message.protocolErrors ?? []);

function AssistantArticle(props: {
  steps: Steps;
  streaming: boolean;
  outcome: Outcome | null;
  stopReason: StopReason | null;
  error: RelayError | null;
  main: Metrics | null;
  here: Metrics | null;
  /** Kept with a stored answer (or a continue's joined parts); else summed from the steps. */
  usage: TokenUsage | null;
  buffering: BufferingVerdict | null;
  provider: ProviderKind | null;
  model: string | null;
  actions: Actions;
  notices?: readonly string[];
  /** Why a stopped answer stopped, when it was not the person's Stop (stored answers only). */
  abortReason?: AbortReason | undefined;
  /** The live turn's text deltas by `step:index`, for the streaming markdown. */
  textParts?: ReadonlyMap<string, readonly string[]>;
  phaseLine?: ReactNode;
  /** A stored answer's id: its versions and Delete (the live answer has neither yet). */
  messageId?: string;
}) {
  const { steps, streaming, outcome, messageId } = props;
  const actions = useMemo(() => actionsFor(outcome, props.actions), [outcome, props.actions]);
  // Nothing to copy on an answer whose text is empty (one that failed before any text arrived).
  const copyable = !streaming && stepsHaveText(steps);
  const idleTimeoutMs = useApp((s) => s.settings?.idleTimeoutMs ?? null);
  // Who answered: the stored answer keeps its wire family and model; the name comes from settings.
  const who = useApp((s) =>
    answererName(props.provider, props.model, s.settings, s.live?.request.model ?? s.active?.model ?? null),
  );
  const problems = useMemo(() => protocolErrorsOf(steps), [steps]);
  const usage = useMemo(() => props.usage ?? usageOfSteps(steps), [props.usage, steps]);
  const price = useApp((s) => priceFor(s, props.provider, props.model));
  const cost = useMemo(() => costWith(usage, price, props.model), [usage, price, props.model]);
  const lastStep = steps.length - 1;
  return (
    <article
      className="message assistant"
      data-testid="message"
      data-role="assistant"
      data-outcome={outcome ?? 'streaming'}
      aria-label={props.model ? `Answer from ${props.model}` : 'Answer'}
      aria-busy={streaming}
    >
      <header className="message-head">
        <span className="avatar" aria-hidden="true">
          ✦
        </span>
        <span className="who" data-testid="message-who">
          {who}
        </span>
        {props.model && <span className="model">{props.model}</span>}
      </header>
      <div className="message-body">
        {steps.map(
          (step, i) =>
            step && (
              <StepView
                key={i}
                index={i}
                step={step}
                streaming={streaming && i === lastStep}
                outcome={outcome}
                {...(props.textParts ? { textParts: props.textParts } : {})}
              />
            ),
        )}
      </div>
      {props.phaseLine}
      <OutcomeNotices
        outcome={outcome}
        stopReason={outcome === null ? null : props.stopReason}
        error={props.error}
        buffering={props.buffering}
        streamProblems={problems}
        answered={stepsHaveContent(steps)}
        idleTimeoutMs={idleTimeoutMs}
        abortReason={props.abortReason}
        {...(props.notices ? { notices: props.notices } : {})}
        actions={actions}
      />
      {props.main && outcome && (
        <MetricsFooter
          main={props.main}
          here={props.here}
          stopReason={props.stopReason}
          outcome={outcome}
          usage={usage}
          cost={cost}
        />
      )}
      {!streaming && (copyable || actions.regenerate || messageId) && (
        <div className="message-actions">
          {messageId && <VersionSwitcher messageId={messageId} />}
          {copyable && <CopyButton text={() => textOfSteps(steps)} label="Copy" testId="copy-message" />}
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
          {messageId && <DeleteMessageButton messageId={messageId} />}
        </div>
      )}
    </article>
  );
}

type ArticleProps = Parameters<typeof AssistantArticle>[0];

/** Props for a stored answer; `isLast`: the last message of the conversation (it may be regenerated). */
function useStoredArticle(message: AssistantMessage | null, isLast: boolean): ArticleProps | null {
  const store = useAppStore();
  const extras = useApp((s) => (message ? s.extras[message.turnId] : undefined));
  const busy = useApp((s) => s.live !== null);
  const canAct = message !== null && isLast && !busy;
  const continueLabel = useApp((s) => continueLabelOf(continueModeIn(s)));
  const id = message?.id ?? null;
  const actions = useMemo<Actions>(() => {
    // Any answer can be answered again (a new version at its point); Retry and Continue are the last one's.
    if (busy || id === null) return NO_ACTIONS;
    const regenerate = () => store.getState().regenerate(id);
    if (!canAct) return { ...NO_ACTIONS, regenerate };
    return {
      retry: regenerate,
      regenerate,
      continueAnswer: () => store.getState().continueAnswer(),
      continueLabel,
    };
  }, [busy, id, canAct, store, continueLabel]);
  if (!message) return null;
  return {
    steps: extras?.frozenSteps ?? message.steps,
    streaming: false,
    outcome: message.outcome ?? 'aborted',
    abortReason: message.abortReason,
    stopReason: message.stopReason,
    error: message.error,
    main: message.metrics,
    here: extras?.here ?? message.windowMetrics ?? null,
    usage: message.usage ?? null,
    buffering: extras?.buffering ?? null,
    provider: message.provider,
    model: message.model,
    actions,
    messageId: message.id,
  };
}

/** Props for the answer streaming now; the only message that renders on every frame. */
function useLiveArticle(enabled: boolean): ArticleProps | null {
  const live = useApp((s) => (enabled ? s.live : null));
  if (!live) return null;
  const ended = live.stopped || live.terminal !== null;
  const shown = shownSteps(live);
  return {
    steps: shown.steps,
    streaming: !ended,
    outcome: live.stopped ? 'aborted' : (live.terminal?.outcome ?? null),
    stopReason: live.terminal?.stopReason ?? null,
    error: live.stopped ? null : (live.terminal?.error ?? null),
    main: live.terminal?.metrics ?? null,
    here: live.here,
    // A continue's bubble holds the answer it extends: its tokens count too.
    usage: live.continues ? sumUsage(usageOfMessage(live.continues.message), usageOfSteps(live.steps)) : null,
    buffering: live.stopped ? null : live.buffering,
    provider: live.provider,
    model: live.model,
    actions: NO_ACTIONS,
    notices: live.notices,
    textParts: shown.textParts,
    phaseLine: <PhaseLine />,
  };
}

/**
 * One answer, live (`message` null: the turn streaming now) or stored. Rendered under the turn's
 * id in both cases, so when the turn ends and its stored copy replaces the live one, React keeps
 * the same component and every memoized markdown block: a 50k-token answer is not parsed again.
 */
export const AssistantEntry = memo(function AssistantEntry({
  message,
  isLast,
}: {
  message: AssistantMessage | null;
  isLast: boolean;
}) {
  const stored = useStoredArticle(message, isLast);
  const live = useLiveArticle(message === null);
  const props = message === null ? live : stored;
  return props ? <AssistantArticle {...props} /> : null;
});

export function StoredAssistant({ message, isLast }: { message: AssistantMessage; isLast: boolean }) {
  return <AssistantEntry message={message} isLast={isLast} />;
}

export function LiveAssistant() {
  return <AssistantEntry message={null} isLast />;
}
