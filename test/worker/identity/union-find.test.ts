// The reference union-find the convergence test trusts: checked on hand-made cases and against
// a naive connected-components search on seeded random graphs.
import { describe, expect, it } from "vitest";
import {
  DisjointSets,
  canonicalPartition,
  referencePartition,
} from "../../../worker/identity/union-find.ts";
import { seededRandom } from "./seeded-random.ts";

function naiveComponents(events: string[][]): string[][] {
  const neighbours = new Map<string, Set<string>>();
  for (const keys of events)
    for (const k of keys)
      for (const j of keys) neighbours.set(k, (neighbours.get(k) ?? new Set()).add(j));
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const start of neighbours.keys()) {
    if (seen.has(start)) continue;
    const group: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const node = stack.pop() as string;
      group.push(node);
      for (const next of neighbours.get(node) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(next);
      }
    }
    groups.push(group);
  }
  return canonicalPartition(groups);
}

describe("reference union-find", () => {
  it("joins identifiers that co-occur, transitively, and keeps singletons", () => {
    expect(referencePartition([["a", "b"], ["c"], ["b", "d"], [], ["e", "c"]])).toEqual([
      ["a", "b", "d"],
      ["c", "e"],
    ]);
  });

  it("find is stable after unions and partition is canonical", () => {
    const sets = new DisjointSets();
    sets.union("x", "y");
    sets.union("z", "y");
    expect(sets.find("x")).toBe(sets.find("z"));
    expect(sets.partition()).toEqual([["x", "y", "z"]]);
  });

  it.each([1, 2, 3])("equals a naive connected-components search (seed %i)", (seed) => {
    const random = seededRandom(seed);
    const events = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + random.int(3) }, () => `k${random.int(500)}`),
    );
    expect(referencePartition(events)).toEqual(naiveComponents(events));
  });
});
