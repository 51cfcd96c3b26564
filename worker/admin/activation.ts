// Admin API for computed traits and audiences: definitions (validated, versioned, with history)
// and a preview that counts the space's current members or values.
import { Hono } from "hono";
import { z } from "../message/index.ts";
import {
  audienceSchema,
  parseAudienceSet,
  referencedAudiences,
  forgetDefinitions,
  computedTraitSchema,
} from "../activation/index.ts";
import { spaceActivation, type DefinitionKind, type StoredDefinition } from "../delivery/index.ts";
import { ApiError } from "../errors.ts";
import { getSpace } from "../sources/index.ts";
import { readJson } from "./validate.ts";
import { profileStub } from "../profiles/index.ts";

const KIND_PATHS = { "computed-traits": "computed_trait", audiences: "audience" } as const;
const MODE = z.enum(["identify", "track", "both"]).default("identify");
/** Preview bound, as for the profile export. */
const MAX_PREVIEW_PROFILES = 10_000;

async function requireSpace(env: Env, spaceId: string): Promise<string> {
  if (!(await getSpace(env, spaceId)))
    throw new ApiError(404, "space_not_found", `no space ${spaceId}`);
  return spaceId;
}

function kindOf(path: string): DefinitionKind {
  const kind = KIND_PATHS[path as keyof typeof KIND_PATHS];
  if (!kind) throw new ApiError(404, "not_found", "no such route");
  return kind;
}

function invalid(error: unknown): never {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    throw new ApiError(400, "invalid_definition", issue?.message ?? "invalid", {
      field: (issue?.path ?? []).map(String).join("."),
    });
  }
  // AudienceSetError is an InputError: app.onError answers it.
  throw error;
}

async function current(env: Env, spaceId: string): Promise<StoredDefinition[]> {
  const text = await spaceActivation(env, spaceId).definitions();
  return (JSON.parse(text) as { definitions: StoredDefinition[] }).definitions;
}

/** Validates one definition (and, for audiences, the whole set it joins). */
async function validate(
  env: Env,
  spaceId: string,
  kind: DefinitionKind,
  key: string,
  body: unknown,
) {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ApiError(400, "invalid_definition", "the definition must be a JSON object");
  const { mode: rawMode, ...rest } = body as Record<string, unknown>;
  const mode = MODE.safeParse(rawMode);
  if (!mode.success)
    throw new ApiError(400, "invalid_definition", "mode must be identify, track or both", {
      field: "mode",
    });
  if (rest.key !== undefined && rest.key !== key)
    throw new ApiError(400, "invalid_definition", "key differs from the path", { field: "key" });
  try {
    if (kind === "computed_trait")
      return { mode: mode.data, definition: computedTraitSchema.parse({ ...rest, key }) };
    const definition = audienceSchema.parse({ ...rest, key });
    const others = (await current(env, spaceId))
      .filter((d) => d.kind === "audience" && d.key !== key)
      .map((d) => d.definition);
    parseAudienceSet([...others, definition]);
    return { mode: mode.data, definition };
  } catch (error) {
    return invalid(error);
  }
}

export const activationAdmin = new Hono<{ Bindings: Env }>();

activationAdmin.get("/spaces/:spaceId/:kind{computed-traits|audiences}", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  const kind = kindOf(c.req.param("kind"));
  const defs = (await current(c.env, spaceId)).filter((d) => d.kind === kind);
  return c.json({ definitions: defs });
});

activationAdmin.post("/spaces/:spaceId/:kind{computed-traits|audiences}/preview", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  const kind = kindOf(c.req.param("kind"));
  const body = (await readJson(c.req.raw)) as Record<string, unknown> | null;
  const key = typeof body?.key === "string" ? body.key : "preview";
  const { mode, definition } = await validate(c.env, spaceId, kind, key, body);
  const candidate = JSON.stringify({ kind, key, id: "preview", version: 0, mode, definition });
  const graph = c.env.IDENTITY_GRAPH.get(c.env.IDENTITY_GRAPH.idFromName(spaceId));
  // One bounded page of profile ids, never the whole index.
  const profileIds = await graph.profilePage("", MAX_PREVIEW_PROFILES);
  const last = profileIds[profileIds.length - 1];
  if (last !== undefined && (await graph.profilePage(last, 1)).length > 0)
    throw new ApiError(413, "preview_too_large", "more than 10,000 profiles");
  const now = Date.now();
  const results = await Promise.all(
    profileIds.map(async (id) => {
      const stub = profileStub(c.env, spaceId, id);
      return JSON.parse(await stub.previewActivation(candidate, now)) as {
        member?: boolean;
        value?: unknown;
      };
    }),
  );
  const members = results.filter((r) => r.member === true).length;
  const withValue = results.filter(
    (r) =>
      r.value !== undefined &&
      r.value !== null &&
      r.value !== 0 &&
      !(Array.isArray(r.value) && r.value.length === 0),
  ).length;
  return c.json(
    kind === "audience"
      ? { profiles: profileIds.length, members }
      : { profiles: profileIds.length, withValue },
  );
});

activationAdmin.put("/spaces/:spaceId/:kind{computed-traits|audiences}/:key", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  const kind = kindOf(c.req.param("kind"));
  const key = c.req.param("key");
  const { mode, definition } = await validate(c.env, spaceId, kind, key, await readJson(c.req.raw));
  const stored = JSON.parse(
    await spaceActivation(c.env, spaceId).putDefinition(
      kind,
      key,
      JSON.stringify(definition),
      mode,
    ),
  ) as StoredDefinition;
  forgetDefinitions(spaceId);
  return c.json({ definition: stored }, stored.version === 1 ? 201 : 200);
});

activationAdmin.get("/spaces/:spaceId/:kind{computed-traits|audiences}/:key", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  const kind = kindOf(c.req.param("kind"));
  const key = c.req.param("key");
  const found = (await current(c.env, spaceId)).find((d) => d.kind === kind && d.key === key);
  if (!found) throw new ApiError(404, "definition_not_found", `no ${kind} ${key}`);
  const versions = JSON.parse(await spaceActivation(c.env, spaceId).versions(kind, key)) as unknown;
  return c.json({ definition: found, versions });
});

activationAdmin.delete("/spaces/:spaceId/:kind{computed-traits|audiences}/:key", async (c) => {
  const spaceId = await requireSpace(c.env, c.req.param("spaceId"));
  const kind = kindOf(c.req.param("kind"));
  const key = c.req.param("key");
  if (kind === "audience") {
    const user = (await current(c.env, spaceId)).find(
      (d) =>
        d.kind === "audience" &&
        d.key !== key &&
        referencedAudiences((d.definition as { condition: never }).condition).includes(key),
    );
    if (user) throw new ApiError(409, "audience_in_use", `audience ${user.key} refers to ${key}`);
  }
  if (!(await spaceActivation(c.env, spaceId).deleteDefinition(kind, key)))
    throw new ApiError(404, "definition_not_found", `no ${kind} ${key}`);
  forgetDefinitions(spaceId);
  return c.json({ deleted: key });
});
