// Searches every store the edge writes for given strings: all D1 tables, the SQL tables and KV of
// Durable Objects, and every R2 archive object. Used to prove that a deletion leaves nothing.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

/** The needles found in `text` (case-insensitive). */
function found(text: string, needles: readonly string[]): string[] {
  const haystack = text.toLowerCase();
  return needles.filter((n) => haystack.includes(n.toLowerCase()));
}

/** `table: needle` for every D1 table that holds a needle. */
export async function searchD1(needles: readonly string[]): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'd1_%'",
  ).all<{ name: string }>();
  const hits: string[] = [];
  for (const { name } of results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    for (const needle of found(JSON.stringify(rows.results), needles))
      hits.push(`${name}: ${needle}`);
  }
  return hits;
}

/** Hits in one Durable Object's SQL tables and KV. */
export async function searchDurableObject(
  stub: DurableObjectStub,
  needles: readonly string[],
): Promise<string[]> {
  return runInDurableObject(stub, (_instance: unknown, state: DurableObjectState) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
      )
      .toArray();
    const hits: string[] = [];
    for (const { name } of tables) {
      const rows = sql.exec(`SELECT * FROM "${name}"`).toArray();
      for (const needle of found(JSON.stringify(rows), needles)) hits.push(`${name}: ${needle}`);
    }
    const kv = [...state.storage.kv.list()];
    for (const needle of found(JSON.stringify(kv), needles)) hits.push(`kv: ${needle}`);
    return hits;
  });
}

/** Hits in every R2 object under `prefix`. */
export async function searchR2(prefix: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const listing = await env.ARCHIVE.list({ prefix });
  for (const object of listing.objects) {
    const text = (await (await env.ARCHIVE.get(object.key))?.text()) ?? "";
    for (const needle of found(text, needles)) hits.push(`${object.key}: ${needle}`);
  }
  return hits;
}
