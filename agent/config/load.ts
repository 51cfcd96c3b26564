// Reads, resolves and validates the config file into a typed `AgentConfig`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { resolveEnvRefs } from "./env-refs.ts";
import { ConfigError, describeKind, type ConfigIssue } from "./errors.ts";
import { agentConfigSchema, type AgentConfig } from "./schema.ts";

/**
 * Loads the YAML or JSON config at `file`. Relative `outbox.path` is resolved against the config
 * file's directory.
 * @throws ConfigError listing every problem (path, expected, got).
 */
export function loadConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(file, [{ path: "$", expected: "a readable config file", got: code }]);
  }
  const config = parseConfigText(text, env, file);
  return {
    ...config,
    outbox: { ...config.outbox, path: path.resolve(path.dirname(file), config.outbox.path) },
  };
}

/** Parses config text (YAML, of which JSON is a subset). */
export function parseConfigText(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  file = "config",
): AgentConfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: "$",
        expected: "valid YAML or JSON",
        got: `${e.code} at line ${e.linePos?.[0]?.line ?? "?"} column ${e.linePos?.[0]?.col ?? "?"}`,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  const issues: ConfigIssue[] = [];
  const resolved = resolveEnvRefs(raw, env, issues);
  if (issues.length > 0) throw new ConfigError(file, issues);
  const parsed = agentConfigSchema.safeParse(resolved);
  if (!parsed.success)
    throw new ConfigError(
      file,
      parsed.error.issues.map((i) => toIssue(i, resolved)),
    );
  return parsed.data;
}

function toIssue(issue: z.core.$ZodIssue, root: unknown): ConfigIssue {
  const at = issue.path.map(String).join(".") || "$";
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case "invalid_type":
      return { path: at, expected: String(issue.expected), got: describeKind(value) };
    case "unrecognized_keys":
      return {
        path: at,
        expected: "only known keys",
        got: `unknown key(s) ${issue.keys.join(", ")}`,
      };
    case "invalid_value":
      // Enum fields (log level, sync mode) are not secrets: echo the value.
      return {
        path: at,
        expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
        got: typeof value === "string" ? JSON.stringify(value) : describeKind(value),
      };
    case "too_small":
      return {
        path: at,
        expected: `${issue.origin} >= ${String(issue.minimum)}`,
        got: describeKind(value),
      };
    case "too_big":
      return {
        path: at,
        expected: `${issue.origin} <= ${String(issue.maximum)}`,
        got: describeKind(value),
      };
    default:
      return {
        path: at,
        expected: issue.message.replace(/^expected /i, ""),
        got: describeKind(value),
      };
  }
}

function valueAt(root: unknown, keys: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of keys) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
