// Why a provider's model list could not be fetched, in words a person acts on: the mistakes people
// make configuring an OpenAI-compatible server (a base URL without /v1, a local server not started,
// a key for the wrong service) before the relay's generic sentence.
import type { ProviderConfig } from '../../shared/protocol';
import { classifyError } from '../relay/errors';
import type { ProviderTarget } from '../providers/types';

const endsInVersion = (url: string) => /\/v\d+[a-z]*\/?$/.test(new URL(url).pathname);

export function describeModelsFailure(
  err: unknown,
  target: ProviderTarget,
  config: ProviderConfig | undefined,
): string {
  const error = classifyError(err, { target });
  const name = config?.name ?? target.label;
  const base = target.baseURL.replace(/\/+$/, '');
  if (error.status === 404 && config && !endsInVersion(base)) {
    return `There is no model list at ${base}/models (HTTP 404). OpenAI-compatible servers answer under /v1: try ${base}/v1 as the base URL.`;
  }
  if (error.type === 'network' && error.cause === 'refused' && target.source?.startHint) {
    return `Nothing is listening at ${base}: ${target.source.startHint}. If it listens elsewhere, ${target.source.setting ?? 'correct the base URL'}.`;
  }
  if (error.status === 401 || error.status === 403) {
    const variable = target.keySource?.variable;
    const where = target.keySource ? ` (the key ${target.keySource.label})` : ' (no key was sent)';
    return `${name} refused the key with HTTP ${error.status}${where}. Check ${variable ?? `the key for ${name} in Settings`}, and that the base URL is ${name}'s.`;
  }
  if (error.type === 'protocol' || (err instanceof SyntaxError && config)) {
    return `${base}/models did not answer with a model list. Check that the base URL is the server's OpenAI-compatible API (it usually ends in /v1).`;
  }
  return error.message;
}
