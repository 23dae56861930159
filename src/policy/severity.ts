import { ACTIONS, type Action } from '../config/schema.js';

/**
 * How severe an action is, for choosing among the actions of several matching rules: the most
 * severe wins. The order is the one in ACTIONS (allow … block).
 */
const RANK: Readonly<Record<Action, number>> = Object.fromEntries(ACTIONS.map((a, i) => [a, i])) as Record<
  Action,
  number
>;

export function severity(action: Action): number {
  return RANK[action];
}

export function moreSevere(a: Action, b: Action): Action {
  return RANK[a] >= RANK[b] ? a : b;
}
