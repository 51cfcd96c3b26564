// The demo space and source that `npm start` provisions on first run and reuses afterwards. Its
// credentials live in `.foyer/demo.json` (gitignored, like the state they point into).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AdminApiClient, AdminApiError } from "./admin-api-client.ts";

export interface DemoCredentials {
  adminToken: string;
  spaceId: string;
  /** The demo website source (curl, analytics.js, analytics-node). */
  sourceId: string;
  writeKey: string;
  /** The venue source the agent uploads with. */
  venueSourceId: string;
  venueWriteKey: string;
  /** Profile API access token of the demo space. */
  profileToken: string;
}

/** Reads saved demo credentials; undefined when the file is absent or not what we wrote. */
export async function readDemoCredentials(file: string): Promise<DemoCredentials | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<DemoCredentials>;
    const fields = [
      parsed.adminToken,
      parsed.spaceId,
      parsed.sourceId,
      parsed.writeKey,
      parsed.venueSourceId,
      parsed.venueWriteKey,
      parsed.profileToken,
    ];
    return fields.every((field) => typeof field === "string" && field !== "")
      ? (parsed as DemoCredentials)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Saves demo credentials, readable by the owner only (they hold the admin token). */
export async function writeDemoCredentials(
  file: string,
  credentials: DemoCredentials,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Returns the demo space and source on the running edge: the saved ones when the edge still
 * knows the source (state kept in `.foyer/state`), otherwise new ones, which are then saved.
 */
export async function ensureDemoWorkspace(
  edgeUrl: URL,
  adminToken: string,
  file: string,
): Promise<{ credentials: DemoCredentials; created: boolean }> {
  const admin = new AdminApiClient(edgeUrl, adminToken);
  const saved = await readDemoCredentials(file);
  if (saved !== undefined && (await sourceExists(admin, saved.sourceId))) {
    return { credentials: { ...saved, adminToken }, created: false };
  }
  const space = await admin.createSpace("Demo venue");
  const { source, writeKey } = await admin.createSource(space.id, {
    name: "Demo website",
    // Generous, so the curl line, the agent and local experiments never hit the limit.
    rateLimit: { eventsPerSecond: 1_000, burst: 10_000 },
  });
  const venue = await admin.createSource(space.id, {
    name: "Venue WiFi (agent)",
    rateLimit: { eventsPerSecond: 1_000, burst: 10_000 },
  });
  const profileToken = await admin.createAccessToken(space.id, "demo");
  const credentials: DemoCredentials = {
    adminToken,
    spaceId: space.id,
    sourceId: source.id,
    writeKey,
    venueSourceId: venue.source.id,
    venueWriteKey: venue.writeKey,
    profileToken,
  };
  await writeDemoCredentials(file, credentials);
  return { credentials, created: true };
}

async function sourceExists(admin: AdminApiClient, sourceId: string): Promise<boolean> {
  try {
    await admin.listEvents(sourceId, { limit: 1 });
    return true;
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return false;
    throw error;
  }
}
