/**
 * Counting what valid rows would make the API do besides storing them (Entity.sideEffects:
 * a client create's welcome email), for validate's and plan's Summary and results.
 */
import type { Entity, NormalisedRow } from '../entities/entity.js';

export interface SideEffectCounter {
  /** Counts a valid row (one that would be sent). */
  note(row: NormalisedRow): void;
  /** label → how many rows cause it, in the entity's order; empty when the entity declares none. */
  counts(): Readonly<Record<string, number>>;
  /** The Summary lines: [label, count]. */
  lines(): Array<[string, number]>;
}

export function countSideEffects(entity: Entity): SideEffectCounter {
  const effects = entity.sideEffects ?? [];
  const totals = effects.map(() => 0);
  return {
    note(row) {
      effects.forEach((effect, i) => {
        if (effect.causedBy(row)) totals[i] = (totals[i] ?? 0) + 1;
      });
    },
    counts: () => Object.fromEntries(effects.map((effect, i) => [effect.label, totals[i] ?? 0])),
    lines: () => effects.map((effect, i): [string, number] => [effect.label, totals[i] ?? 0]),
  };
}

/** What a person reads on the terminal, e.g. "Welcome emails Plannr would send: 3". */
export function sideEffectLines(counts: Readonly<Record<string, number>>): string[] {
  return Object.entries(counts).map(([label, count]) => `${label}: ${count}`);
}
