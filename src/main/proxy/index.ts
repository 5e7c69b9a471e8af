// The managed nginx front: a real nginx between Sluice and its upstream, configured to buffer or to
// stream, so a buffering proxy can be shown, measured and explained. Plain Node (no electron).
export type {
  NginxError,
  NginxErrorType,
  NginxFront,
  NginxFrontOptions,
  NginxProfile,
  NginxUpstream,
} from './types';
export { NginxStartError } from './types';
export { findNginx, type FindResult } from './find';
export { HEALTH_PATH, profileExplanation, renderNginxConfig, type RenderOptions } from './config';
export { startNginxFront } from './front';
export { cleanupStaleNginx } from './stale';
