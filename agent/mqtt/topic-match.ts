// MQTT topic filter matching, OASIS MQTT 3.1.1 §4.7.1 / MQTT 5 §4.7.1: `+` matches exactly one
// level, `#` (last level only) matches the parent and any number of levels below it. Topics that
// start with `$` are not matched by filters starting with a wildcard (§4.7.2).

/** True when `topic` matches `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === "#") return i === f.length - 1;
    if (i >= t.length) return false;
    if (part !== "+" && part !== t[i]) return false;
  }
  return f.length === t.length;
}
