// GET /v1/models: the simulated scenarios, in the shape of whichever SDK asked.
import { SIM_SCENARIOS } from '../../../shared/protocol';
import type { SimWire } from './types';

/** A fixed date: the list is the same bytes on every call. */
const CREATED = '2025-01-01T00:00:00Z';

const displayName = (id: string): string => `Simulated ${id.replace(/^sim-/, '').replaceAll('-', ' ')}`;

export function modelList(wire: SimWire): Record<string, unknown> {
  if (wire === 'openai') {
    const created = Date.parse(CREATED) / 1000;
    return {
      object: 'list',
      data: SIM_SCENARIOS.map((id) => ({ id, object: 'model', created, owned_by: 'sluice-simulated' })),
    };
  }
  return {
    data: SIM_SCENARIOS.map((id) => ({
      type: 'model',
      id,
      display_name: displayName(id),
      created_at: CREATED,
    })),
    has_more: false,
    first_id: SIM_SCENARIOS[0],
    last_id: SIM_SCENARIOS.at(-1),
  };
}
