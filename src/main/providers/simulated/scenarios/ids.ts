// Ids derived from the request's seed, so the same prompt yields a byte-identical stream.
import { hashString } from '../rng';
import type { SimRequest } from '../types';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters that look like an API id, from a seed and a label. */
export function idChars(seed: number, label: string, length = 24): string {
  let out = '';
  let h = hashString(label, seed);
  while (out.length < length) {
    h = hashString(out, h ^ 0x9e3779b9);
    out += ALPHABET[h % ALPHABET.length];
  }
  return out;
}

export const messageId = (req: SimRequest): string => `msg_sim_${idChars(req.seed, req.scenario)}`;
export const toolUseId = (req: SimRequest, n: number): string => `toolu_sim_${idChars(req.seed, `tool${n}`)}`;
