// Child process for the crash test: appends one message per transaction and prints its messageId
// only after `append` returned; the parent `kill -9`s it mid-stream.
import { openAgentDatabase } from "../../../agent/outbox/database.ts";
import { Outbox } from "../../../agent/outbox/outbox.ts";

const [file, runId] = process.argv.slice(2);
if (!file || !runId) throw new Error("usage: append-child.ts FILE RUN_ID");
const outbox = new Outbox(openAgentDatabase(file, "full"), { maxRows: 1_000_000 });
for (let i = 0; i < 100_000; i++) {
  const messageId = `${runId}-${i}`;
  outbox.append(
    [
      {
        type: "track",
        messageId,
        event: "Crash Test",
        anonymousId: "a",
        timestamp: new Date().toISOString(),
      },
    ],
    "session",
  );
  process.stdout.write(`${messageId}\n`);
}
