// Body size and JSON nesting limits on every route family that reads a body: Tracking API,
// admin API and the regulations API. A refused body changes nothing.
import { describe, expect, it } from "vitest";
import { ADMIN_BODY_LIMIT } from "../../../worker/admin/validate.ts";
import { jsonNestingDepth, MAX_JSON_DEPTH } from "../../../worker/ingest/json-depth.ts";
import { admin, ADMIN, basic, call, newSource } from "../support.ts";

/** `{"properties":{"a":{"a":…}}}` nesting `depth` objects in all. */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;
}

async function post(path: string, body: string, authorization: string, method = "POST") {
  const res = await call(path, {
    method,
    headers: { authorization, "content-type": "application/json" },
    body,
  });
  return { status: res.status, code: (await res.json<{ error?: { code: string } }>()).error?.code };
}

describe("JSON nesting depth", () => {
  it("counts nesting outside strings only", () => {
    expect(jsonNestingDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonNestingDepth('"\\"[["')).toBe(0);
    expect(jsonNestingDepth(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
  });
});

describe("body limits by route family", () => {
  it("Tracking API: too deep is 400 json_too_deep, at the limit is accepted", async () => {
    const s = await newSource();
    const deep = `{"event":"x","userId":"u","properties":${nested(MAX_JSON_DEPTH)}}`;
    expect(await post("/v1/track", deep, basic(s.writeKey))).toEqual({
      status: 400,
      code: "json_too_deep",
    });
    const batch = `{"batch":[{"type":"track","event":"x","userId":"u","properties":${nested(MAX_JSON_DEPTH)}}]}`;
    expect((await post("/v1/batch", batch, basic(s.writeKey))).code).toBe("json_too_deep");
    const ok = `{"event":"x","userId":"u","properties":${nested(MAX_JSON_DEPTH - 1)}}`;
    expect((await post("/v1/track", ok, basic(s.writeKey))).status).toBe(200);
  });

  it("admin API: too deep is 400 json_too_deep and nothing is stored", async () => {
    const s = await newSource();
    const before = await admin("GET", `/spaces/${s.spaceId}/consent`);
    const deep = `{"categories":${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}}`;
    expect(
      await post(`/admin/v1/spaces/${s.spaceId}/consent`, deep, ADMIN.authorization, "PUT"),
    ).toEqual({
      status: 400,
      code: "json_too_deep",
    });
    expect(await admin("GET", `/spaces/${s.spaceId}/consent`)).toEqual(before);
    const dst = `{"slug":"webhook","name":"W","settings":{"url":"https://h.example.com/","secret":"0123456789abcdef","mapping":${nested(MAX_JSON_DEPTH)}}}`;
    expect(
      (await post(`/admin/v1/spaces/${s.spaceId}/destinations`, dst, ADMIN.authorization)).code,
    ).toBe("json_too_deep");
    expect(
      (await admin<{ destinations: unknown[] }>("GET", `/spaces/${s.spaceId}/destinations`))
        .destinations,
    ).toEqual([]);
  });

  it("admin API: a body over the limit is 413 payload_too_large and nothing is stored", async () => {
    const before = (await admin<{ spaces: unknown[] }>("GET", "/spaces")).spaces.length;
    const big = JSON.stringify({ name: "x".repeat(ADMIN_BODY_LIMIT) });
    expect(await post("/admin/v1/spaces", big, ADMIN.authorization)).toEqual({
      status: 413,
      code: "payload_too_large",
    });
    expect((await admin<{ spaces: unknown[] }>("GET", "/spaces")).spaces.length).toBe(before);
  });

  it("regulations API: too deep and too large are refused, nothing queued", async () => {
    const s = await newSource();
    const deep = `{"regulationType":"SUPPRESS","subjectType":"USER_ID","subjectIds":${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}}`;
    const path = `/admin/v1/spaces/${s.spaceId}/regulations`;
    expect(await post(path, deep, ADMIN.authorization)).toEqual({
      status: 400,
      code: "json_too_deep",
    });
    const big = JSON.stringify({
      regulationType: "SUPPRESS",
      subjectType: "USER_ID",
      subjectIds: ["x".repeat(ADMIN_BODY_LIMIT)],
    });
    expect((await post(path, big, ADMIN.authorization)).status).toBe(413);
    expect(
      (await admin<{ regulations: unknown[] }>("GET", `/spaces/${s.spaceId}/regulations`))
        .regulations,
    ).toEqual([]);
  });
});
