// Property and trait conditions with Segment's operators (computed-traits.md "Condition
// operators"; audiences "Trait operators"). Comparisons never coerce types: "5" is not 5.
import { z, type JsonObject, type JsonValue, readPath } from "../message/index.ts";

const NUMERIC = ["less_than", "greater_than", "at_most", "at_least"] as const;
const TEXT = ["contains", "not_contains", "starts_with", "ends_with"] as const;
const PRESENCE = ["exists", "not_exists"] as const;
const DATES = ["before_date", "after_date"] as const;
export const OPERATORS = [
  "equals",
  "not_equals",
  ...NUMERIC,
  ...TEXT,
  ...PRESENCE,
  "one_of",
  ...DATES,
] as const;
export type Operator = (typeof OPERATORS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** `{operator, value}` with the value's type checked against the operator. */
export const comparisonShape = {
  operator: z.enum(OPERATORS),
  value: z.union([scalar, z.array(scalar).min(1).max(100)]).optional(),
};

type Comparison = { operator: Operator; value?: JsonValue | undefined };

/** Adds precise issues when a comparison's value does not fit its operator. */
export function checkComparison(comparison: Comparison, ctx: z.RefinementCtx): void {
  const { operator, value } = comparison;
  const fail = (message: string) => ctx.addIssue({ code: "custom", path: ["value"], message });
  if ((PRESENCE as readonly string[]).includes(operator)) {
    if (value !== undefined) fail(`${operator} takes no value`);
  } else if (value === undefined) fail(`${operator} needs a value`);
  else if ((NUMERIC as readonly string[]).includes(operator) && typeof value !== "number")
    fail(`${operator} compares numbers`);
  else if ((TEXT as readonly string[]).includes(operator) && typeof value !== "string")
    fail(`${operator} compares strings`);
  else if (operator === "one_of" && !Array.isArray(value)) fail("one_of takes a list");
  else if ((operator === "equals" || operator === "not_equals") && Array.isArray(value))
    fail(`${operator} takes one value; use one_of`);
  else if (
    (DATES as readonly string[]).includes(operator) &&
    (typeof value !== "string" || Number.isNaN(Date.parse(value)))
  ) {
    fail(`${operator} takes an ISO-8601 date`);
  }
}

export const propertyConditionSchema = z
  .strictObject({ property: z.string().min(1).max(200), ...comparisonShape })
  .superRefine(checkComparison);
export type PropertyCondition = z.infer<typeof propertyConditionSchema>;

/** Applies an operator to an actual value (undefined = absent). */
export function compareValue(
  actual: JsonValue | undefined,
  operator: Operator,
  expected: JsonValue | undefined,
): boolean {
  switch (operator) {
    case "exists":
      return actual !== undefined && actual !== null;
    case "not_exists":
      return actual === undefined || actual === null;
    case "equals":
      return actual === expected;
    case "not_equals":
      return actual !== expected;
    case "one_of":
      return Array.isArray(expected) && expected.some((item) => item === actual);
    case "less_than":
      return typeof actual === "number" && typeof expected === "number" && actual < expected;
    case "greater_than":
      return typeof actual === "number" && typeof expected === "number" && actual > expected;
    case "at_most":
      return typeof actual === "number" && typeof expected === "number" && actual <= expected;
    case "at_least":
      return typeof actual === "number" && typeof expected === "number" && actual >= expected;
    case "contains":
      return (
        typeof actual === "string" && typeof expected === "string" && actual.includes(expected)
      );
    case "not_contains":
      return !(
        typeof actual === "string" &&
        typeof expected === "string" &&
        actual.includes(expected)
      );
    case "starts_with":
      return (
        typeof actual === "string" && typeof expected === "string" && actual.startsWith(expected)
      );
    case "ends_with":
      return (
        typeof actual === "string" && typeof expected === "string" && actual.endsWith(expected)
      );
    case "before_date":
    case "after_date": {
      if (typeof actual !== "string" || typeof expected !== "string") return false;
      const a = Date.parse(actual);
      const b = Date.parse(expected);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return operator === "before_date" ? a < b : a > b;
    }
  }
}

/** Whether an event's properties satisfy a condition (dot paths reach nested properties). */
export function propertyMatches(condition: PropertyCondition, properties: JsonObject): boolean {
  return compareValue(
    readPath(properties, condition.property),
    condition.operator,
    condition.value,
  );
}
