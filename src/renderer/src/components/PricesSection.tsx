// Settings' word on prices: where the table comes from and where the person's own file is read;
// a file that could not be used says why (the shipped prices stay in force, the file is untouched).
import { useApp } from '../store/react';

export function PricesSection() {
  const prices = useApp((s) => s.settings?.prices ?? null);
  if (!prices) return null;
  const dates = [...new Set(prices.entries.map((e) => e.asOf))].sort();
  return (
    <fieldset className="group" data-testid="prices-section">
      <legend>Prices</legend>
      <p className="field-hint">
        Costs use a dated price table: {prices.entries.length} models, checked {dates.at(0)}
        {dates.length > 1 ? ` to ${dates.at(-1)}` : ''}.
        {prices.file && (
          <>
            {' '}
            To change or add a price, edit <code data-testid="prices-file">{prices.file}</code> (README:
            Tokens and cost); it is read again each time the window loads.
          </>
        )}
      </p>
      {prices.problem && (
        <p className="notice notice-warn" role="alert" data-testid="prices-problem">
          {prices.problem}
        </p>
      )}
    </fieldset>
  );
}
