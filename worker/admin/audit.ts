// The audit log API: governance entries (configuration changes, token use, regulation steps) and
// identity merges (`identity_audit`), one time-ordered list. Readable by Auditors (audit:read).
import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import { getSpace } from "../sources/index.ts";
import type { AdminEnv } from "./auth/principal.ts";

const MAX_ENTRIES = 1_000;

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  status: number | null;
  detail: unknown;
}

export const auditAdmin = new Hono<AdminEnv>();

auditAdmin.get("/spaces/:spaceId/audit", async (c) => {
  const spaceId = c.req.param("spaceId");
  if (!(await getSpace(c.env, spaceId))) {
    throw new ApiError(404, "space_not_found", `no space ${spaceId}`);
  }
  const sinceRaw = c.req.query("since");
  const since = sinceRaw === undefined ? 0 : Date.parse(sinceRaw);
  if (Number.isNaN(since)) {
    throw new ApiError(400, "invalid_time", "since is not a date", { field: "since" });
  }
  const action = c.req.query("action");
  const [governance, merges] = await c.env.DB.batch<Record<string, unknown>>([
    c.env.DB.prepare(
      `SELECT * FROM audit_log WHERE space_id = ? AND at >= ? AND (?3 IS NULL OR action = ?3)
       ORDER BY at DESC, id DESC LIMIT ?`,
    ).bind(spaceId, since, action ?? null, MAX_ENTRIES),
    c.env.DB.prepare(
      `SELECT id, message_id, rule, survivor, folded, at FROM identity_audit
       WHERE space_id = ? AND action = 'merge' AND at >= ? ORDER BY at DESC, id DESC LIMIT ?`,
    ).bind(spaceId, since, MAX_ENTRIES),
  ]);
  const entries: Entry[] = (governance?.results ?? []).map((r) => ({
    id: String(r.id),
    at: new Date(Number(r.at)).toISOString(),
    actor: String(r.actor),
    action: String(r.action),
    target: String(r.target),
    status: r.status === null ? null : Number(r.status),
    detail: JSON.parse(String(r.detail)) as unknown,
  }));
  if (action === undefined || action === "identity.merge") {
    for (const r of merges?.results ?? []) {
      entries.push({
        id: String(r.id),
        at: new Date(Number(r.at)).toISOString(),
        actor: "system",
        action: "identity.merge",
        target: String(r.survivor),
        status: null,
        detail: { folded: r.folded, rule: r.rule, messageId: r.message_id },
      });
    }
  }
  entries.sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? 1 : -1));
  return c.json({ entries: entries.slice(0, MAX_ENTRIES) });
});
