// The scenario registry: the model name picks what the provider does.
import { SIM_SCENARIOS } from '../../../../shared/protocol';
import type { HttpFault, ScenarioName, SimRequest, Step } from '../types';
import { simReasoning } from './reasoning';
import { simReplay } from './replay';
import {
  simDrop,
  simEcho,
  simMaxTokens,
  simOverloadedMidstream,
  simRefusal,
  simStall,
  simText,
} from './text';
import { simTool } from './tool';

export const SCENARIO_NAMES: readonly ScenarioName[] = [...SIM_SCENARIOS, 'sim-replay'];

type Scenario =
  | { kind: 'stream'; steps: (req: SimRequest) => Iterable<Step> }
  | { kind: 'reject'; fault: (retryAfter: string | null) => HttpFault };

const SCENARIOS: Record<ScenarioName, Scenario> = {
  'sim-text': { kind: 'stream', steps: simText },
  'sim-tool': { kind: 'stream', steps: simTool },
  'sim-reasoning': { kind: 'stream', steps: simReasoning },
  'sim-overloaded': {
    kind: 'reject',
    // No retry-after unless asked for: the SDK's own backoff applies, as with the real API.
    fault: (retryAfter) => ({
      status: 529,
      errorType: 'overloaded_error',
      message: 'Overloaded',
      ...(retryAfter === null ? {} : { headers: { 'retry-after': retryAfter } }),
    }),
  },
  'sim-overloaded-midstream': { kind: 'stream', steps: simOverloadedMidstream },
  'sim-rate-limited': {
    kind: 'reject',
    fault: (retryAfter) => ({
      status: 429,
      errorType: 'rate_limit_error',
      message: 'Number of requests has exceeded your rate limit (simulated). Please try again later.',
      headers: { 'retry-after': retryAfter ?? '1' },
    }),
  },
  'sim-drop': { kind: 'stream', steps: simDrop },
  'sim-stall': { kind: 'stream', steps: simStall },
  'sim-max-tokens': { kind: 'stream', steps: simMaxTokens },
  'sim-refusal': { kind: 'stream', steps: simRefusal },
  'sim-echo': { kind: 'stream', steps: simEcho },
  'sim-replay': { kind: 'stream', steps: simReplay },
};

/** Scenarios whose fault x-sluice-sim-fail-times can limit to the first N tries (then they answer as sim-text). */
export const FAULTY: ReadonlySet<ScenarioName> = new Set([
  'sim-overloaded',
  'sim-overloaded-midstream',
  'sim-rate-limited',
  'sim-drop',
  'sim-stall',
]);

export const isScenarioName = (model: string): model is ScenarioName =>
  (SCENARIO_NAMES as readonly string[]).includes(model);

export const scenarioOf = (name: ScenarioName): Scenario => SCENARIOS[name];
