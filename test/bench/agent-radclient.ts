// Drives FreeRADIUS radclient (Debian freeradius-utils) with a request file and reads back what the
// server acknowledged: `-x` prints every reply's attributes, and the Proxy-State tag the server
// copied from the request (RFC 2865 §5.33) names which request each reply answers.
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";

export const hasRadclient = spawnSync("radclient", ["-v"], { stdio: "ignore" }).status === 0;

export interface RadclientRun {
  /** Address the requests go to (`127.0.0.1:PORT`). */
  port: number;
  secret: string;
  /** Path of the `-f` request file. */
  file: string;
  /** `-p`: requests in flight at once. */
  parallel: number;
  /** `-r`: attempts per request (1 = no retransmission). */
  retries?: number;
  /** `-t`: seconds to wait for each reply. */
  timeoutSeconds?: number;
  /** Parse replies with `-x` and report their Proxy-State tags (costs radclient some CPU). */
  tagged?: boolean;
  /** Called with each acknowledged tag as its reply arrives. */
  onReply?: (tag: number) => void;
  /** Ends radclient (SIGTERM) when aborted; the result then holds what was answered so far. */
  signal?: AbortSignal;
}

export interface RadclientResult {
  exitCode: number | null;
  /** Proxy-State tags of the replies (tagged runs only). */
  replies: number[];
  /** From radclient's `-s` packet summary. */
  accepted: number;
  lost: number;
}

/** Runs radclient to completion (or until killed by the caller's deadline). */
export function runRadclient(run: RadclientRun): Promise<RadclientResult> {
  const args = [
    ...(run.tagged ? ["-x"] : ["-q"]),
    "-s",
    "-f",
    run.file,
    "-p",
    String(run.parallel),
    "-r",
    String(run.retries ?? 1),
    "-t",
    String(run.timeoutSeconds ?? 2),
    `127.0.0.1:${run.port}`,
    "acct",
    run.secret,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("radclient", args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(run.signal ? { signal: run.signal, killSignal: "SIGTERM" as const } : {}),
    });
    const replies: number[] = [];
    let inReply = false;
    let accepted = 0;
    let lost = 0;
    child.stderr.resume();
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("Received Accounting-Response")) inReply = true;
      else if (!line.startsWith("\t")) inReply = false;
      const tag = /^\tProxy-State = 0x([0-9a-f]+)$/.exec(line);
      if (inReply && tag) {
        const value = Number.parseInt(tag[1]!, 16);
        replies.push(value);
        run.onReply?.(value);
      }
      const summary = /^\t(Accepted|Lost)\s*: (\d+)$/.exec(line);
      if (summary?.[1] === "Accepted") accepted = Number(summary[2]);
      if (summary?.[1] === "Lost") lost = Number(summary[2]);
    });
    child.on("error", (error) => {
      if (error.name !== "AbortError") reject(error);
    });
    child.on("close", (exitCode) => resolve({ exitCode, replies, accepted, lost }));
  });
}
