// IP address text: parsing (IPv4 dotted quad, RFC 4291 IPv6 forms) and RFC 5952 formatting.
// Pure; shared by the gate's IP minimization (worker/gate/ip.ts) and the value patterns.
export type ParsedIp =
  { family: 4; bytes: Uint8Array } | { family: 6; bytes: Uint8Array; mappedV4: boolean };

const V4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** Dotted-quad IPv4; leading zeros refused (inet_aton would read them as octal). */
function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => V4_OCTET.test(part))) return undefined;
  return Uint8Array.from(parts, Number);
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseV4(part);
      if (!v4) return undefined;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** RFC 4291 §2.2 text forms: full, `::`-compressed, embedded IPv4; an RFC 4007 §11 zone is ignored. */
function parseV6(text: string): ParsedIp | undefined {
  const zoneAt = text.indexOf("%");
  if (zoneAt === 0 || zoneAt === text.length - 1) return undefined;
  const address = zoneAt === -1 ? text : text.slice(0, zoneAt);
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  const mappedV4 =
    bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { family: 6, bytes, mappedV4 };
}

/** Parses an IPv4 or IPv6 address; `undefined` for anything else (ports, brackets, garbage). */
export function parseIp(value: string): ParsedIp | undefined {
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (!text.includes(":")) {
    const v4 = parseV4(text);
    return v4 && { family: 4, bytes: v4 };
  }
  return parseV6(text);
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return Array.from(ip.bytes).join(".");
  if (ip.mappedV4) return `::ffff:${Array.from(ip.bytes.subarray(12)).join(".")}`;
  const groups = Array.from(
    { length: 8 },
    (_, i) => ((ip.bytes[i * 2] ?? 0) << 8) | (ip.bytes[i * 2 + 1] ?? 0),
  );
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = Math.max(i, j);
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start === -1) return hex.join(":");
  const left = hex.slice(0, best.start).join(":");
  const right = hex.slice(best.start + best.length).join(":");
  return `${left}::${right}`;
}
