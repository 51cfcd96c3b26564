// Audit rows for the identity decisions the space's graph made: every merge with its evidence,
// and every identifier a rule kept out of a match (a refused merge names both sides).
import type { ResolutionPlan } from "./resolve.ts";
import type { AuditRow } from "./graph-store.ts";

const brief = (ids: readonly { type: string; value: string; collection: "users" | "accounts" }[]) =>
  ids.map(({ type, value, collection }) => ({ type, value, collection }));

/** The rows one plan produces; ids are deterministic so a re-placed event adds nothing twice. */
export function auditRows(messageId: string, plan: ResolutionPlan, createdId: string): AuditRow[] {
  const rows: AuditRow[] = [];
  const now = Date.now();
  plan.dropped.forEach((drop, i) => {
    rows.push({
      id: `${messageId}:drop:${i}`,
      messageId,
      action: "refuse",
      rule: drop.rule,
      survivor: drop.profiles[0] ?? null,
      folded: drop.profiles[1] ?? null,
      identifiers: brief([drop.identifier]),
      detail: drop.detail,
      at: now,
    });
  });
  if (plan.action === "merge") {
    plan.folded.forEach((folded) => {
      const via = plan.evidence.flatMap((e) => e.identifiers);
      rows.push({
        id: `${messageId}:merge:${folded}`,
        messageId,
        action: "merge",
        rule: plan.rule,
        survivor: plan.survivor,
        folded,
        identifiers: brief(via),
        detail: `folded ${folded} into the older ${plan.survivor}`,
        at: now,
      });
    });
  }
  if (plan.action === "create") {
    rows.push({
      id: `${messageId}:create:${createdId}`,
      messageId,
      action: "create",
      rule: plan.rule,
      survivor: createdId,
      folded: null,
      identifiers: brief(plan.identifiers),
      detail: "no profile matched",
      at: now,
    });
  }
  return rows;
}
