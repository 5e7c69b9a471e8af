// PLACEHOLDER — replaced by the adapter branch.
import type { ModelInfo } from '../../shared/protocol';
import type { Provider, ProviderTarget, RawEventStream, StreamRequest } from './types';
export class OpenAIProvider implements Provider {
  constructor(readonly target: ProviderTarget) {}
  open(_r: StreamRequest): Promise<RawEventStream> {
    throw new Error('placeholder');
  }
  listModels(): Promise<ModelInfo[]> {
    throw new Error('placeholder');
  }
}
