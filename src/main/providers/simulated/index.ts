// The simulated provider: a loopback Anthropic Messages API (POST /v1/messages) and OpenAI Chat
// Completions (POST /v1/chat/completions, base URL …/v1) that the unmodified SDKs talk to, plus
// GET /v1/models in the shape of whichever SDK asks (anthropic-version present: Anthropic's). The
// model name picks the scenario (SCENARIO_NAMES; any non-`sim-` model is sim-text, an unknown `sim-`
// model a 404), the same on both wires: Chat Completions renders the scenario's events as chunks
// (openai.ts). A trailing assistant message (prefill) is where the answer picks up. Answers are written from a small corpus (corpus.ts) on the subject
// the prompt's words choose, the same bytes for the same prompt. Per-request knobs (SIM_HEADERS):
//   x-sluice-sim-ttft-ms / -tpot-ms / -thinking-ms   timing (defaults 400 / 25 / 12000 ms)
//   x-sluice-sim-tokens N                            answer length in text deltas (max_tokens still applies)
//   x-sluice-sim-ping-ms N                           a ping after every N ms of silence (heartbeat tests)
//   x-sluice-sim-accel-buffering no|omit             send or leave out `X-Accel-Buffering: no`
//   x-sluice-sim-replay FILE                         the .sse file in replayDir that sim-replay plays
//   x-sluice-sim-fail-times N + x-sluice-sim-key K   a faulty scenario fails only for the first N
//                                                    requests with key K, then answers as sim-text
//   x-sluice-sim-retry-after S                       retry-after on 429 (default 1) and 529 (default none)
//   x-sluice-sim-text hostile|prose                  hostile: emoji, ZWJ, RTL, combining marks woven into
//                                                    the prose (default prose: the corpus as written)
//   x-sluice-sim-dialect D                           Chat Completions only: openai (default; reasoning
//                                                    hidden, counted in usage), deepseek (reasoning_content),
//                                                    openrouter (reasoning), ollama (reasoning; whole tool
//                                                    calls, ids call_0… in every response), think-tags
//                                                    (<think> in the content), vllm (choices: null on usage)
// The key "bad-key" (x-api-key or bearer) is answered with 401. Started with `replayFile` (the CLI's
// `chat --replay FILE.sse`), the provider answers every request by replaying that file.
import type { SimLogEntry } from './types';

export { startSimulatedProvider, DEFAULT_TIMING } from './server';
export { DIALECTS, SIM_HEADERS, type Dialect } from './request';
export { SCENARIO_NAMES } from './scenarios';
export type {
  SimEndReason,
  SimLogEntry,
  SimWrite,
  SimulatedProvider,
  SimulatedProviderOptions,
  SimTiming,
  SimWire,
  ScenarioName,
} from './types';

/** `sim end req_… scenario=sim-text tokens=57 reason=client-closed wire=openai`, or the entry as JSON. */
export function formatLogLine(e: SimLogEntry, json: boolean): string {
  if (json) return JSON.stringify(e);
  return `sim end ${e.requestId} scenario=${e.scenario} tokens=${e.tokensGenerated} reason=${e.reason} wire=${e.wire}`;
}
