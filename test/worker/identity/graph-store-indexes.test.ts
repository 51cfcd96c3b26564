// The identity graph's merge bookkeeping reads profiles by `merged_into`; those reads use an index
// instead of scanning every profile of the space.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GraphStore } from "../../../worker/identity/graph-store.ts";

describe("graph store indexes", () => {
  it("finds what was folded into a profile through the merged_into index", async () => {
    const graph = env.IDENTITY_GRAPH.get(env.IDENTITY_GRAPH.idFromName("graph-store-indexes"));
    await runInDurableObject(graph, (_i, state) => {
      new GraphStore(state.storage.sql);
      const plan = (query: string) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`)
          .toArray()
          .map((r) => r.detail)
          .join(" | ");
      expect(plan("SELECT id FROM profiles WHERE merged_into IN ('a', 'b') ORDER BY id")).toContain(
        "profiles_merged_into",
      );
      expect(
        plan("UPDATE profiles SET merged_into = 'x' WHERE id = 'a' OR merged_into = 'a'"),
      ).toMatch(/MULTI-INDEX OR|profiles_merged_into/);
    });
  });
});
