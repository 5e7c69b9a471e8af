// The conversation's totals under its title: every answer's tokens and their cost added up (with
// the oldest date among the prices used, and how many answers have no known price), and the
// context-window gauge for the next turn.
import { useMemo } from 'react';
import { describeCost, totalCost } from '../../../shared/cost';
import type { AssistantMessage } from '../../../shared/protocol';
import {
  formatTokens,
  hasUsage,
  totalInput,
  usageOfConversation,
  usageOfMessage,
} from '../../../shared/usage';
import { pathOf } from '../lib/path';
import { costWith, kindOf, priceFor } from '../lib/prices';
import { currentChoice } from '../store/models';
import { useApp } from '../store/react';
import { useShallow } from 'zustand/react/shallow';
import { ContextGauge } from './ContextGauge';

export const TOTALS_TITLE =
  'This conversation so far: input (cached or not) and output tokens of every answer, and what they cost at the price table\u2019s prices.';

export function ConversationUsage() {
  // While a turn streams, the totals are those of what is stored; they move when it ends.
  const { active, settings } = useApp(useShallow((s) => ({ active: s.active, settings: s.settings })));
  const messages = active?.messages ?? null;
  // The model the next turn uses (a fresh object from the settings' default: compared by its fields).
  const choice = useApp(useShallow((s) => currentChoice(s) ?? { provider: '', model: '' }));
  const answers = useMemo(
    () => (messages ?? []).filter((m): m is AssistantMessage => m.role === 'assistant'),
    [messages],
  );
  const summary = useMemo(() => {
    const context = { settings, active };
    const usage = usageOfConversation(answers);
    const costs = answers.map((m) =>
      costWith(usageOfMessage(m), priceFor(context, m.provider, m.model), m.model),
    );
    const reasons = costs.flatMap((c) => (c.kind === 'unknown' ? [c.reason] : []));
    return { usage, total: totalCost(costs), reasons };
  }, [answers, settings, active]);
  if (!hasUsage(summary.usage)) return null;
  const { usage, total } = summary;
  // Totals count every version (each was paid for); the context is the last answer on screen's.
  const last = pathOf(active).findLast((m) => m.role === 'assistant');
  const context = last ? usageOfMessage(last).context : null;
  const next = choice.model ? priceFor({ settings, active }, kindOf(choice), choice.model) : null;
  const tokens = (totalInput(usage) ?? 0) + (usage.output ?? 0);
  return (
    <div className="conversation-usage" data-testid="conversation-usage" data-tokens={tokens}>
      <span className="metric" title={TOTALS_TITLE} data-testid="conversation-totals">
        {formatTokens(totalInput(usage) ?? 0)} in · {formatTokens(usage.output ?? 0)} out
        {total.priced > 0 && <> · {describeCost(total)}</>}
      </span>
      {total.unknown > 0 && (
        <span
          className="metric cost-unknown"
          data-testid="totals-unpriced"
          title={summary.reasons.join('\n')}
        >
          {total.unknown === 1 ? '1 answer has' : `${total.unknown} answers have`} no known price
        </span>
      )}
      {context !== null && <ContextGauge tokens={context} entry={next} model={choice.model || null} />}
    </div>
  );
}
