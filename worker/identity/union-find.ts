// The reference partition the convergence test compares the identity graph against: a
// union-find (disjoint-set forest with path halving and union by size; Tarjan 1975) over the
// identifiers that co-occur in an event. Blocked values must already be removed from the input.

/** A disjoint-set forest over string keys. */
export class DisjointSets {
  readonly #parent = new Map<string, string>();
  readonly #size = new Map<string, number>();

  /** Adds `key` as its own set if it is new. */
  add(key: string): void {
    if (!this.#parent.has(key)) {
      this.#parent.set(key, key);
      this.#size.set(key, 1);
    }
  }

  /** The representative of `key`'s set (adding `key` first if new). */
  find(key: string): string {
    this.add(key);
    let node = key;
    for (
      let parent = this.#parent.get(node) ?? node;
      parent !== node;
      parent = this.#parent.get(node) ?? node
    ) {
      const grandparent = this.#parent.get(parent) ?? parent;
      this.#parent.set(node, grandparent);
      node = grandparent;
    }
    return node;
  }

  /** Joins the sets of `a` and `b`. */
  union(a: string, b: string): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    if ((this.#size.get(rootA) ?? 1) < (this.#size.get(rootB) ?? 1))
      [rootA, rootB] = [rootB, rootA];
    this.#parent.set(rootB, rootA);
    this.#size.set(rootA, (this.#size.get(rootA) ?? 1) + (this.#size.get(rootB) ?? 1));
  }

  /** Every set, each sorted, the list sorted by first member: a canonical form to compare. */
  partition(): string[][] {
    const groups = new Map<string, string[]>();
    for (const key of this.#parent.keys()) {
      const root = this.find(key);
      const group = groups.get(root);
      if (group) group.push(key);
      else groups.set(root, [key]);
    }
    return canonicalPartition(groups.values());
  }
}

/** Sorts each group and the groups (by first member), so equal partitions compare equal. */
export function canonicalPartition(groups: Iterable<readonly string[]>): string[][] {
  return [...groups]
    .map((group) => [...group].sort())
    .filter((group) => group.length > 0)
    .sort((a, b) => ((a[0] ?? "") < (b[0] ?? "") ? -1 : 1));
}

/** The partition of identifiers into people that co-occurrence in events implies. */
export function referencePartition(events: Iterable<readonly string[]>): string[][] {
  const sets = new DisjointSets();
  for (const keys of events) {
    const [first, ...rest] = keys;
    if (first === undefined) continue;
    sets.add(first);
    for (const key of rest) sets.union(first, key);
  }
  return sets.partition();
}
