// The regulations API's boundaries: every malformed request refused with its own code and nothing
// stored; 5,000 subjects accepted and suppressed; UNSUPPRESS lifts them; forwarding to
// destinations ends cleanly when the space has none.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually } from "../../support.ts";
import { as, errorCode, issueToken, newSource } from "../../admin/admin-fixtures.ts";

async function finished(token: string, id: string) {
  return eventually(async () => {
    const res = await as(token, "GET", `/v1/regulations/${id}`);
    const r = res.json.regulation as {
      status: string;
      steps: { kind: string; status: string; count?: number }[];
    };
    return r.status === "FINISHED" || r.status === "FAILED" ? r : undefined;
  }, 20_000);
}

describe("regulation requests", () => {
  it("refuses bad requests with a specific 4xx and stores nothing", async () => {
    const s = await newSource();
    const { token } = await issueToken(s.spaceId, "Admin");
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`);
    const cases: [unknown, string][] = [
      [
        { regulationType: "ERASE_EVERYTHING", subjectType: "USER_ID", subjectIds: ["u"] },
        "unknown_regulation_type",
      ],
      [
        { regulationType: "DELETE_ARCHIVE_ONLY", subjectType: "USER_ID", subjectIds: ["u"] },
        "unsupported_regulation_type",
      ],
      [
        { regulationType: "SUPPRESS_ONLY", subjectType: "PHONE", subjectIds: ["u"] },
        "unknown_subject_type",
      ],
      [
        { regulationType: "SUPPRESS_ONLY", subjectType: "USER_ID", subjectIds: [] },
        "missing_subjects",
      ],
      [
        { regulationType: "SUPPRESS_ONLY", subjectType: "USER_ID", subjectIds: ids(5_001) },
        "too_many_subjects",
      ],
      [
        { regulationType: "SUPPRESS_ONLY", subjectType: "EMAIL", subjectIds: ["not-an-email"] },
        "invalid_email",
      ],
      [
        { regulationType: "SUPPRESS_ONLY", subjectType: "USER_ID", subjectIds: [""] },
        "invalid_subject",
      ],
      [
        { regulationType: "SUPPRESS_ONLY", subjectType: "USER_ID", subjectIds: ["u"], extra: 1 },
        "unknown_field",
      ],
      [["SUPPRESS_ONLY"], "not_an_object"],
    ];
    for (const [body, code] of cases) {
      const res = await as(token, "POST", "/v1/regulations", body);
      expect(res.status, code).toBe(400);
      expect(errorCode(res.json)).toBe(code);
    }
    const broken = await env.DB.prepare("SELECT COUNT(*) AS n FROM regulations WHERE space_id = ?")
      .bind(s.spaceId)
      .first<{ n: number }>();
    expect(broken?.n).toBe(0);
    const owner = await as("test-admin-token", "POST", "/v1/regulations", cases[0]![0]);
    expect(errorCode(owner.json)).toBe("space_required");
    const unknown = await as(token, "GET", "/v1/regulations/reg_nope");
    expect(errorCode(unknown.json)).toBe("regulation_not_found");
  });

  it("suppresses 5,000 subjects and lifts them with UNSUPPRESS", async () => {
    const s = await newSource();
    const { token } = await issueToken(s.spaceId, "Admin");
    const subjectIds = Array.from({ length: 5_000 }, (_, i) => `bulk-${i}`);
    const created = await as(token, "POST", "/v1/regulations", {
      regulationType: "SUPPRESS_ONLY",
      subjectType: "USER_ID",
      subjectIds,
    });
    expect(created.status).toBe(201);
    const id = (created.json.data as { regulateId: string }).regulateId;
    const done = await finished(token, id);
    expect(done.steps).toMatchObject([{ kind: "suppress", status: "succeeded", count: 5_000 }]);
    const list = await as(token, "GET", `/admin/v1/spaces/${s.spaceId}/suppressions`);
    expect(list.json.subjects).toBe(5_000);
    const lift = await as(token, "POST", `/admin/v1/spaces/${s.spaceId}/regulations`, {
      regulationType: "UNSUPPRESS",
      subjectType: "USER_ID",
      subjectIds: subjectIds.slice(0, 10),
    });
    await finished(token, (lift.json.data as { regulateId: string }).regulateId);
    expect(
      (await as(token, "GET", `/admin/v1/spaces/${s.spaceId}/suppressions`)).json.subjects,
    ).toBe(4_990);
  });

  it("ends a DELETE_ONLY of an unknown email with nothing to forward", async () => {
    const s = await newSource();
    const { token } = await issueToken(s.spaceId, "Admin");
    const created = await as(token, "POST", "/v1/regulations", {
      regulationType: "DELETE_ONLY",
      subjectType: "EMAIL",
      subjectIds: [" Nobody@Example.com "],
    });
    const done = await finished(token, (created.json.data as { regulateId: string }).regulateId);
    expect(done.status).toBe("FINISHED");
    expect(done.steps.at(-1)).toMatchObject({
      kind: "forward_to_destinations",
      status: "succeeded",
      count: 0,
    });
    expect(done.steps.find((step) => step.kind === "resolve_profiles")?.count).toBe(0);
  });
});
