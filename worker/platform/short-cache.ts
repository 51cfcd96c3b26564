// A short-lived per-isolate cache of promises by key: a burst of callers on a miss share one load,
// a failed load is not remembered, and an entry older than `ttlMs` is loaded again. What it holds
// may be stale for up to `ttlMs` in other isolates; the isolate that changes the source forgets
// the key at once.
export class ShortCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = { at: now, value: load() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
