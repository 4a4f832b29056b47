// Our complete model as JSON, for scripts: the policy file, each arch's resolved rules, and the explanation.
// Deterministic (fixed key order, sorted lists), bigints as decimal strings.
import type { Explanation } from '../../learn/explain.js';
import type { PolicyFile } from '../model.js';
import type { ResolvedPolicy } from '../resolved.js';
import type { Emitted } from './emitted.js';
import { jsonText } from './json-text.js';

export interface JsonModel {
  readonly tool: string;
  readonly version: string;
  readonly profile: string;
  readonly catalog: string;
  readonly policy: PolicyFile;
  readonly resolved: readonly ResolvedPolicy[];
  readonly explanation?: Explanation;
}

// 2: POLICY bodies are ordered `body` entries (USE and action blocks), the top level is `top`.
export const JSON_FORMAT_VERSION = 2;

export function emitJson(model: JsonModel): Emitted {
  return { text: jsonText({ format: JSON_FORMAT_VERSION, ...model }, 'string'), losses: [] };
}
