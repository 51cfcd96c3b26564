// Invariant 5 at ingestion: IP addresses truncated per source before anything stores them, PII
// hashed in the archive and the events index, raw values only in the profile.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  admin,
  archivedObjects,
  call,
  eventually,
  newSource,
  storedEventually,
  storedEvents,
  track,
  profileApiToken,
} from "../support.ts";

async function storedBody(sourceId: string): Promise<Record<string, unknown>> {
  const [event] = await storedEvents(sourceId);
  return event!;
}

describe("privacy at the edge", () => {
  it.each([
    ["truncate", "2001:db8:85a3:1234:5678:8a2e:370:7334", "2001:db8:85a3::"],
    ["truncate", "198.51.100.77", "198.51.100.0"],
    ["keep", "198.51.100.77", "198.51.100.77"],
    ["drop", "198.51.100.77", undefined],
  ])("ipMode %s stores %s as %s", async (ipMode, ip, expected) => {
    const s = await newSource({ ipMode });
    await track(s.writeKey, "/v1/track", { userId: "u", event: "E" }, { "cf-connecting-ip": ip });
    await storedEventually(s.sourceId, 1);
    expect((await storedBody(s.sourceId)).context).toEqual(
      expected === undefined ? {} : { ip: expected },
    );
  });

  it("refuses an unknown ipMode", async () => {
    const { space } = await admin<{ space: { id: string } }>("POST", "/spaces", { name: "x" });
    const res = await call(`/admin/v1/spaces/${space.id}/sources`, {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ name: "s", ipMode: "mask" }),
    });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { field: string } }>()).error.field).toBe("ipMode");
  });

  it("keeps PII hashed in D1 and R2, and raw only in the profile", async () => {
    const s = await newSource();
    await track(s.writeKey, "/v1/identify", {
      userId: "u-pii",
      traits: {
        email: "Grace@Example.com",
        firstName: "Grace",
        phone: "+44 20 7946 0018",
        card: "4111 1111 1111 1111",
      },
    });
    await storedEventually(s.sourceId, 1);
    const body = JSON.stringify(await storedBody(s.sourceId));
    const [key] = await eventually(async () => {
      const keys = await archivedObjects(s.sourceId);
      return keys.length > 0 ? keys : undefined;
    });
    const archived = await (await env.ARCHIVE.get(key!))!.text();
    for (const raw of ["Grace@Example.com", "grace@example.com", "Grace", "7946", "4111"]) {
      expect(body).not.toContain(raw);
      expect(archived).not.toContain(raw);
    }
    expect(body).toMatch(/"email":"[0-9a-f]{64}"/);
    const accessToken = { token: await profileApiToken(s.spaceId) };
    const traits = await eventually(async () => {
      const res = await call(
        `/v1/spaces/${s.spaceId}/collections/users/profiles/user_id:u-pii/traits`,
        {
          headers: { authorization: `Basic ${btoa(`${accessToken.token}:`)}` },
        },
      );
      if (res.status !== 200) return undefined;
      const t = (await res.json<{ traits: Record<string, unknown> }>()).traits;
      return Object.keys(t).length > 0 ? t : undefined;
    });
    expect(traits).toMatchObject({ email: "Grace@Example.com", firstName: "Grace" });
  });
});

describe("the space's storage policy", () => {
  it("decides what the archive and the events index keep", async () => {
    const s = await newSource();
    await admin("PUT", `/spaces/${s.spaceId}/privacy-policy`, {
      storage: { classes: { email: "raw", first_name: "dropped" } },
    });
    await track(s.writeKey, "/v1/identify", {
      userId: "u-policy",
      traits: { email: "Lin@Example.com", firstName: "Lin", phone: "+44 20 7946 0018" },
    });
    await storedEventually(s.sourceId, 1);
    const traits = (await storedBody(s.sourceId)).traits as Record<string, unknown>;
    expect(traits.email).toBe("Lin@Example.com");
    expect(traits.firstName).toBeUndefined();
    expect(traits.phone).toMatch(/^[0-9a-f]{64}$/);
  });
});
