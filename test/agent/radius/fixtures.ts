// Loads the radclient captures in test/fixtures/radius (hex, `#` comment lines ignored).
import { readFileSync } from "node:fs";
import path from "node:path";

const DIR = path.join(import.meta.dirname, "../../fixtures/radius");

/** The captured datagram of fixture `name`. */
export function fixture(name: string): Buffer {
  const text = readFileSync(path.join(DIR, `${name}.hex`), "utf8");
  return Buffer.from(
    text
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("")
      .trim(),
    "hex",
  );
}
