// Group commit: appends requested during one event-loop turn share one SQLite transaction, so
// one fsync covers many RADIUS packets under load while each caller still answers only after
// its own messages are durable (invariant 6). An idle agent commits at once (next turn).
import type { OutboxClass, OutboxMessage } from "../controllers/deps.ts";
import type { Outbox } from "./outbox.ts";
import { assertOutboxMessage } from "./validate.ts";

interface Pending {
  messages: readonly OutboxMessage[];
  cls: OutboxClass;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Batches `append` calls into one transaction per event-loop turn. */
/** How long the first append of a group waits for others before the commit (one fsync). */
const COALESCE_MS = 2;

export class GroupCommit {
  readonly #outbox: Outbox;
  readonly #afterCommit: () => void;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(outbox: Outbox, afterCommit: () => void = () => {}) {
    this.#outbox = outbox;
    this.#afterCommit = afterCommit;
  }

  /**
   * Resolves once `messages` are committed. A malformed message rejects this call alone, at once;
   * a storage failure rejects every call of the turn (none of them is answered).
   */
  append(messages: readonly OutboxMessage[], cls: OutboxClass): Promise<void> {
    try {
      messages.forEach((m, i) => assertOutboxMessage(m, i));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ messages, cls, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // A short window lets appends from many concurrent packets share one fsync.
        setTimeout(() => this.#commit(), COALESCE_MS);
      }
    });
  }

  #commit(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    try {
      this.#outbox.appendGroups(batch);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of batch) p.resolve();
    this.#afterCommit();
  }
}
