// Chooses exactly N finding types from the catalogue in popularity order, deriving plausible variants when N is large.
import { ATTACK_SEQUENCES, FAMILIES, MOST_FREQUENT } from './catalog.js';
import type { FindingTypeSpec } from './catalog.js';

/** Single-signal types in popularity order: the most frequent first, then one per family in turn. */
function popularityOrder(): FindingTypeSpec[] {
  const byName = new Map<string, FindingTypeSpec>();
  for (const spec of FAMILIES.flat()) byName.set(spec.type, spec);
  const order: FindingTypeSpec[] = [];
  const taken = new Set<string>();
  for (const name of MOST_FREQUENT) {
    const spec = byName.get(name);
    if (spec !== undefined && !taken.has(name)) {
      order.push(spec);
      taken.add(name);
    }
  }
  const queues = FAMILIES.map((family) => family.filter((spec) => !taken.has(spec.type)));
  for (let round = 0; queues.some((queue) => round < queue.length); round++) {
    for (const queue of queues) {
      const spec = queue[round];
      if (spec !== undefined) order.push(spec);
    }
  }
  return order;
}

/**
 * Suffixes GuardDuty itself uses for related detections: `!DNS` for the DNS-log twin of a network finding,
 * `.Custom` for custom threat lists, `.Reputation` for domain reputation, `.B`/`.C` for detection revisions.
 */
function variantSuffixes(spec: FindingTypeSpec): readonly string[] {
  return spec.action === 'outbound' ? ['!DNS', '.Custom', '.Reputation', '.B'] : ['.Custom', '.Reputation', '.B', '.C'];
}

/** A variant keeps its base's shape and title: only the type name tells them apart. */
function variantOf(spec: FindingTypeSpec, suffix: string): FindingTypeSpec {
  return { ...spec, type: spec.type + suffix };
}

/** Derives `count` variants that are not already in `taken`, cycling over `bases` and then numbering them. */
function deriveVariants(bases: readonly FindingTypeSpec[], taken: Set<string>, count: number): FindingTypeSpec[] {
  const variants: FindingTypeSpec[] = [];
  for (let depth = 0; depth < 4 && variants.length < count; depth++) {
    for (const base of bases) {
      if (variants.length >= count) break;
      const suffix = variantSuffixes(base)[depth];
      if (suffix === undefined || base.type.endsWith(suffix) || base.type.endsWith('!DNS')) continue;
      const variant = variantOf(base, suffix);
      if (taken.has(variant.type)) continue;
      taken.add(variant.type);
      variants.push(variant);
    }
  }
  for (let n = 2; variants.length < count; n++) {
    for (const base of bases) {
      if (variants.length >= count) break;
      const variant = variantOf(base, `.V${n}`);
      if (taken.has(variant.type)) continue;
      taken.add(variant.type);
      variants.push(variant);
    }
  }
  return variants;
}

/**
 * Exactly `count` distinct finding types, most frequent first. Attack sequences always come last (the rarest
 * under a Zipf draw), so every severity band is present from about 20 types on.
 */
export function selectFindingTypes(count: number): FindingTypeSpec[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`types must be a positive integer, got ${count}`);
  const sequenceCount = count >= 20 ? ATTACK_SEQUENCES.length : count >= 4 ? 1 : 0;
  const singles = popularityOrder();
  const wanted = count - sequenceCount;
  const chosen = singles.slice(0, wanted);
  if (chosen.length < wanted) {
    const taken = new Set([...singles, ...ATTACK_SEQUENCES].map((spec) => spec.type));
    chosen.push(...deriveVariants(singles, taken, wanted - chosen.length));
  }
  return [...chosen, ...ATTACK_SEQUENCES.slice(0, sequenceCount)];
}
