// The benchmark's baseline: a bare Hono worker that accepts the same routes as Foyer's Tracking
// API, parses the JSON body and acknowledges it, doing nothing else. Foyer's numbers are read
// against this one (same runtime, same machine, same run), so the ratio isolates Foyer's own work.
import { Hono, type Context } from "hono";

const app = new Hono();

const acknowledge = async (c: Context): Promise<Response> => {
  await c.req.json();
  return c.json({ success: true });
};

app.post("/v1/batch", (c) => acknowledge(c));
app.post("/v1/track", (c) => acknowledge(c));
app.get("/healthz", (c) => c.text("ok"));

export default { fetch: app.fetch };
