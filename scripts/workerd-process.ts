// Finds the workerd process that serves a given local port, and reads its CPU time, from Linux's
// /proc (proc(5)). wrangler runs two workerd processes (its dev proxy and the user worker); the
// listening socket tells them apart without guessing from command lines.
import { readdir, readFile, readlink } from "node:fs/promises";

/**
 * The socket inode listening on `port` (any local address), from /proc/net/tcp and tcp6.
 * Returns undefined when nothing listens there.
 */
export async function listeningSocketInode(port: number): Promise<string | undefined> {
  const LISTEN = "0A";
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      if (local === undefined || inode === undefined || state !== LISTEN) continue;
      const hexPort = local.slice(local.lastIndexOf(":") + 1);
      if (Number.parseInt(hexPort, 16) === port) return inode;
    }
  }
  return undefined;
}

/** The pid of the process holding the socket `inode` open, or undefined. */
export async function pidOwningSocket(inode: string): Promise<number | undefined> {
  const target = `socket:[${inode}]`;
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      if (link === target) return Number(pid);
    }
  }
  return undefined;
}

/** The pid of the process listening on local `port` (Linux only), or undefined. */
export async function pidListeningOn(port: number): Promise<number | undefined> {
  const inode = await listeningSocketInode(port);
  return inode === undefined ? undefined : pidOwningSocket(inode);
}

/**
 * User + system CPU time a process has used so far, in milliseconds: fields 14 (utime) and 15
 * (stime) of /proc/<pid>/stat, in clock ticks (proc(5)). Linux's USER_HZ is 100 on every
 * mainstream architecture, so one tick is 10 ms.
 */
export async function processCpuMillis(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return cpuMillisFromStat(stat);
}

/** Parses utime + stime (ms) from the text of /proc/<pid>/stat. */
export function cpuMillisFromStat(stat: string): number {
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ")".
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // afterName[0] is field 3 (state), so fields 14 and 15 are at indexes 11 and 12.
  const utime = Number(afterName[11]);
  const stime = Number(afterName[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error("unexpected /proc/<pid>/stat format");
  }
  const MS_PER_TICK = 10;
  return (utime + stime) * MS_PER_TICK;
}
