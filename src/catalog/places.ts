// Where parsed IR nodes came from. The IR stays plain data; this side table lets the resolver and the
// catalog checks report file:line:col for things only they can detect (unknown POLICY, conflicting rules).
import type { Place } from '../errors.js';

const NODE_PLACES = new WeakMap<object, Place>();
const USE_PLACES = new WeakMap<object, readonly Place[]>();

export function recordPlace(node: object, place: Place): void {
  NODE_PLACES.set(node, place);
}

/** Where a parsed PolicyDef (its name), Rule (its syscall name), comparison (its constant) or TopLevel (its
 * DEFAULT) was written. */
export function placeOf(node: object): Place | undefined {
  return NODE_PLACES.get(node);
}

/** `places[i]` is where the i-th USE entry of `owner`'s body (a PolicyDef or the TopLevel) was written. */
export function recordUsePlaces(owner: object, places: readonly Place[]): void {
  USE_PLACES.set(owner, places);
}

export function usePlaceOf(owner: object, index: number): Place | undefined {
  return USE_PLACES.get(owner)?.[index];
}
