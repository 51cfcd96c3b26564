// Roles and permissions of the admin API. Three roles modelled on Segment's (https://segment.com/docs/segment-app/iam/roles/):
// Admin ≈ Workspace Owner, Editor ≈ Source Admin + Tracking Plan Admin, Auditor ≈ read-only with
// the audit trail; plus Segment's separate PII Access grant, which every role needs to read raw
// PII. The matrix below is data: the README table and the authorization tests are generated
// from it, so they cannot drift apart.

export const ROLES = ["Admin", "Editor", "Auditor"] as const;
export type Role = (typeof ROLES)[number];

export const GRANTS = ["pii_access"] as const;
export type Grant = (typeof GRANTS)[number];

export type Access = "yes" | "no" | "with PII grant";

export interface PermissionRow {
  permission: string;
  description: string;
  access: Readonly<Record<Role, Access>>;
}

/** Every permission, what it covers and who holds it. */
export const ROLE_MATRIX = [
  row("spaces:manage", "create spaces", "yes", "no", "no"),
  row(
    "config:read",
    "read spaces, sources, destinations, consent and PII policies",
    "yes",
    "yes",
    "yes",
  ),
  row(
    "config:write",
    "change sources (incl. write keys), destinations, consent, PII and tracking rules",
    "yes",
    "yes",
    "no",
  ),
  row("tokens:manage", "issue, list and revoke admin tokens", "yes", "no", "no"),
  row(
    "profile-tokens:manage",
    "mint Profile API tokens (they read raw traits)",
    "with PII grant",
    "no",
    "no",
  ),
  row("regulations:read", "read regulation status and steps", "yes", "no", "yes"),
  row("regulations:write", "create deletion and suppression requests", "yes", "no", "no"),
  row("audit:read", "read the audit log", "yes", "no", "yes"),
  row(
    "lineage:read",
    "read an event's lineage: source, policies applied, deliveries",
    "yes",
    "yes",
    "yes",
  ),
  row(
    "events:read",
    "read stored events, archive objects and the live debugger (PII as stored: hashed)",
    "yes",
    "yes",
    "no",
  ),
  row("profiles:read", "read profiles with PII masked", "yes", "yes", "no"),
  row("pii:read", "read raw PII through any API", "with PII grant", "with PII grant", "no"),
] as const satisfies readonly PermissionRow[];

export type Permission = (typeof ROLE_MATRIX)[number]["permission"];

function row<P extends string>(
  permission: P,
  description: string,
  admin: Access,
  editor: Access,
  auditor: Access,
) {
  return { permission, description, access: { Admin: admin, Editor: editor, Auditor: auditor } };
}

export type Authorization =
  | { allowed: true }
  | {
      allowed: false;
      reason: "role_lacks_permission" | "pii_grant_required" | "unknown_permission";
    };

/** Whether a token of `role` holding `grants` may use `permission`. */
export function authorize(
  role: Role,
  grants: readonly Grant[],
  permission: Permission,
): Authorization {
  const entry = ROLE_MATRIX.find((r) => r.permission === permission);
  if (!entry) return { allowed: false, reason: "unknown_permission" };
  const access: Access = entry.access[role];
  if (access === "yes") return { allowed: true };
  if (access === "with PII grant") {
    return grants.includes("pii_access")
      ? { allowed: true }
      : { allowed: false, reason: "pii_grant_required" };
  }
  return { allowed: false, reason: "role_lacks_permission" };
}

/** The role matrix as a Markdown table for the README. */
export function roleMatrixMarkdown(): string {
  const lines = [
    `| permission | what it allows | ${ROLES.join(" | ")} |`,
    `|---|---|${ROLES.map(() => "---").join("|")}|`,
  ];
  for (const entry of ROLE_MATRIX) {
    lines.push(
      `| \`${entry.permission}\` | ${entry.description} | ${ROLES.map((r) => entry.access[r]).join(" | ")} |`,
    );
  }
  return lines.join("\n");
}
