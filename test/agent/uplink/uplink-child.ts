// Child process for the uplink crash test: drains the outbox to the edge until killed.
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";
import { Uplink } from "../../../agent/uplink/uplink.ts";

const [file, edgeUrl] = process.argv.slice(2);
if (!file || !edgeUrl) throw new Error("usage: uplink-child.ts FILE EDGE_URL");
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
new Uplink(new Outbox(openAgentDatabase(file), { maxRows: 100_000 }), {
  edgeUrl,
  writeKey: "wk_venue_test",
  batchSize: 25,
  log: quiet,
}).start();
