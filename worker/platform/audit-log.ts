// Writes the governance audit log (D1 `audit_log`). Entries never hold a personal value: targets
// are route patterns and ids, details are counts and codes.
export interface AuditEntry {
  spaceId: string;
  actor: string;
  action: string;
  target: string;
  status?: number;
  detail?: Record<string, unknown>;
}

/** The statement that appends one entry (for callers that batch it with their own writes). */
export function auditStatement(env: Env, entry: AuditEntry, at = Date.now()): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO audit_log (id, space_id, at, actor, action, target, status, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).bind(
    `aud_${at.toString(36).padStart(9, "0")}_${crypto.randomUUID()}`,
    entry.spaceId,
    at,
    entry.actor,
    entry.action,
    entry.target,
    entry.status ?? null,
    JSON.stringify(entry.detail ?? {}),
  );
}

/** Appends one entry. */
export async function recordAudit(env: Env, entry: AuditEntry, at = Date.now()): Promise<void> {
  await auditStatement(env, entry, at).run();
}
