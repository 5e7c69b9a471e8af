// How an answer ended, beside its partial content and never instead of it (DESIGN.md rule 6).
import { memo } from 'react';
import type { BufferingVerdict } from '../../../shared/metrics';
import type { AbortReason, Outcome, ProtocolError, RelayError, StopReason } from '../../../shared/protocol';
import { useAppStore } from '../store/react';
import { Icon } from './Icon';

// The sentence of an error notice is the main process's (relay/errors.ts): it names what happened
// and adds "What arrived so far is kept" only when something was; the page adds nothing of its own.
// A failed or stopped answer offers Retry here, never beside a Regenerate (AssistantMessage.tsx).
// The error notices are not alerts: the live region (LiveAnnouncer) says the error's sentence once,
// politely, with the other phases of the answer.
export type NoticeActions = {
  retry: (() => void) | null;
  continueAnswer: (() => void) | null;
  /** What Continue will do, where it cannot simply go on (default "Continue"). */
  continueLabel?: string;
};

/** The runbook section a buffering warning points to (the slug of its heading). */
export const BUFFERING_SECTION = 'works-on-localhost-batches-in-prod';

function stalledSeconds(error: RelayError | null, idleTimeoutMs: number | null): string {
  const said = error?.message.match(/no data for (\d+(?:\.\d+)?) s/);
  if (said?.[1]) return said[1];
  return idleTimeoutMs === null ? 'a while' : String(Math.round(idleTimeoutMs / 1000));
}

export const OutcomeNotices = memo(function OutcomeNotices({
  outcome,
  stopReason,
  error,
  buffering,
  streamProblems,
  answered = true,
  idleTimeoutMs,
  abortReason,
  notices = [],
  actions,
}: {
  outcome: Outcome | null;
  stopReason: StopReason | null;
  error: RelayError | null;
  buffering: BufferingVerdict | null;
  streamProblems: ProtocolError[];
  /**
   * Whether anything of the answer is shown above. A stream that stalled before any of it arrived
   * never began, so its notice says what the error says (which names the address) instead.
   */
  answered?: boolean;
  idleTimeoutMs: number | null;
  /** An aborted answer the person did not stop: its window was gone past the grace period, or the app quit. */
  abortReason?: AbortReason | undefined;
  /** How the turn was routed (nginx mode), said once at its start. */
  notices?: readonly string[];
  actions: NoticeActions;
}) {
  const store = useAppStore();
  const retry = actions.retry && (
    <button type="button" className="notice-button" data-testid="retry" onClick={actions.retry}>
      <Icon name="refresh" size={14} /> Retry
    </button>
  );
  return (
    <>
      {notices.map((notice) => (
        <p key={notice} className="notice notice-quiet" data-testid="route-notice">
          {notice}
        </p>
      ))}
      {outcome === 'aborted' && (abortReason === undefined || abortReason === 'user') && (
        <div className="notice notice-quiet">
          <p data-testid="stopped-notice">Stopped</p>
          {retry}
        </div>
      )}
      {outcome === 'aborted' && abortReason !== undefined && abortReason !== 'user' && (
        <div className="notice notice-quiet">
          <p data-testid="interrupted-notice">
            <strong>Interrupted</strong> —{' '}
            {abortReason === 'client-closed'
              ? 'the window that was showing this answer went away and did not come back within the reconnect grace, so it was stopped.'
              : 'Sluice was closing, so the answer was stopped.'}{' '}
            What arrived is kept.
          </p>
          {retry}
        </div>
      )}
      {outcome === 'error' && (
        <div className="notice notice-error" data-testid="error-notice" data-error-type={error?.type}>
          <p>{error?.message ?? 'The answer failed, and the provider said nothing about why.'}</p>
          {retry}
        </div>
      )}
      {outcome === 'stalled' && (
        <div className="notice notice-error" data-testid="error-notice" data-error-type="stalled">
          <p>
            {answered
              ? `The stream stalled: no data for ${stalledSeconds(error, idleTimeoutMs)} s. Retry?`
              : (error?.message ??
                `No answer arrived: no data for ${stalledSeconds(error, idleTimeoutMs)} s.`)}
          </p>
          {retry}
        </div>
      )}
      {stopReason === 'refusal' && (
        <p className="notice notice-quiet" data-testid="refusal-notice">
          The model declined to answer.
        </p>
      )}
      {stopReason === 'max_tokens' && (
        <div className="notice notice-warn" data-testid="max-tokens-notice">
          <p>Cut off at the max tokens limit.</p>
          {actions.continueAnswer && (
            <button
              type="button"
              className="notice-button"
              data-testid="continue"
              onClick={actions.continueAnswer}
            >
              <Icon name="play" size={14} /> {actions.continueLabel ?? 'Continue'}
            </button>
          )}
        </div>
      )}
      {buffering?.buffered && (
        <div className="notice notice-warn" data-testid="buffering-warning">
          <p>
            This answer arrived in one late burst: something between Sluice and the provider is buffering the
            stream.{' '}
            <button
              type="button"
              className="link-button"
              data-testid="buffering-why"
              onClick={() => store.getState().openRunbook(BUFFERING_SECTION)}
            >
              Why, and how to fix it?
            </button>
          </p>
          <p className="detail">{buffering.reason}</p>
        </div>
      )}
      {streamProblems.length > 0 && (
        <details className="notice notice-quiet" data-testid="stream-problems">
          <summary>
            The stream had {streamProblems.length === 1 ? 'a problem' : `${streamProblems.length} problems`}
          </summary>
          <ul>
            {streamProblems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
});
