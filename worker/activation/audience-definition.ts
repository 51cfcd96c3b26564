// Audience definitions (https://segment.com/docs/engage/audiences/): conditions on events
// (performed / did not perform, counts, windows or dates), on traits and computed traits, on
// membership of other audiences, combined with and/or/not. Validated once, with paths in errors;
// references to unknown audiences and cycles are refused, as Segment refuses them.
import { InputError } from "../errors.ts";
import { z } from "../message/index.ts";
import { checkComparison, comparisonShape } from "./conditions.ts";
import { eventFilterSchema, windowSchema, type EventFilter, type TimeWindow } from "./history.ts";

export type CountOperator = "at_least" | "at_most" | "exactly" | "more_than" | "less_than";

export type AudienceCondition =
  | {
      kind: "event";
      event: EventFilter;
      count: { operator: CountOperator; value: number };
      window?: TimeWindow | undefined;
    }
  | { kind: "did_not_perform"; event: EventFilter; window?: TimeWindow | undefined }
  | {
      kind: "trait" | "computed_trait";
      key: string;
      operator: z.infer<typeof comparisonShape.operator>;
      value?: z.infer<typeof comparisonShape.value>;
    }
  | { kind: "audience"; key: string; member: boolean }
  | { kind: "and" | "or"; conditions: AudienceCondition[] }
  | { kind: "not"; condition: AudienceCondition };

const KEY = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "snake_case, starting with a letter, at most 64 characters");

export const audienceConditionSchema: z.ZodType<AudienceCondition> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("event"),
      event: eventFilterSchema,
      count: z
        .strictObject({
          operator: z.enum(["at_least", "at_most", "exactly", "more_than", "less_than"]),
          value: z.number().int().min(0).max(1_000_000),
        })
        .default({ operator: "at_least", value: 1 }),
      window: windowSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal("did_not_perform"),
      event: eventFilterSchema,
      window: windowSchema.optional(),
    }),
    z
      .strictObject({
        kind: z.enum(["trait", "computed_trait"]),
        key: z.string().min(1).max(200),
        ...comparisonShape,
      })
      .superRefine(checkComparison),
    z.strictObject({ kind: z.literal("audience"), key: KEY, member: z.boolean().default(true) }),
    z.strictObject({
      kind: z.enum(["and", "or"]),
      conditions: z.array(audienceConditionSchema).min(1).max(50),
    }),
    z.strictObject({ kind: z.literal("not"), condition: audienceConditionSchema }),
  ]),
);

export const audienceSchema = z.strictObject({
  key: KEY,
  name: z.string().min(1).max(200),
  condition: audienceConditionSchema,
});
export type AudienceDefinition = z.infer<typeof audienceSchema>;

/** A set of audience definitions failed validation as a whole (unknown reference, cycle). */
export class AudienceSetError extends InputError {
  readonly audienceKey: string;
  constructor(audienceKey: string, message: string) {
    super("invalid_audience_set", "condition", `audience ${audienceKey}: ${message}`);
    this.name = "AudienceSetError";
    this.audienceKey = audienceKey;
  }
}

/** Every audience key a condition refers to. */
export function referencedAudiences(condition: AudienceCondition): string[] {
  if (condition.kind === "audience") return [condition.key];
  if (condition.kind === "and" || condition.kind === "or")
    return condition.conditions.flatMap(referencedAudiences);
  if (condition.kind === "not") return referencedAudiences(condition.condition);
  return [];
}

/**
 * Validates every definition (ZodError with the index and field path on a bad one), then the set:
 * unique keys, references to known audiences, no cycles. Returns them keyed for evaluation.
 */
export function parseAudienceSet(input: unknown): Map<string, AudienceDefinition> {
  const defs = z.array(audienceSchema).max(1_000).parse(input);
  const byKey = new Map<string, AudienceDefinition>();
  for (const def of defs) {
    if (byKey.has(def.key)) throw new AudienceSetError(def.key, "defined twice");
    byKey.set(def.key, def);
  }
  for (const def of defs) {
    for (const ref of referencedAudiences(def.condition)) {
      if (!byKey.has(ref)) throw new AudienceSetError(def.key, `refers to unknown audience ${ref}`);
    }
  }
  const done = new Set<string>();
  const visit = (key: string, path: string[]): void => {
    if (done.has(key)) return;
    if (path.includes(key))
      throw new AudienceSetError(
        key,
        `membership cycle ${[...path.slice(path.indexOf(key)), key].join(" → ")}`,
      );
    for (const ref of referencedAudiences((byKey.get(key) as AudienceDefinition).condition))
      visit(ref, [...path, key]);
    done.add(key);
  };
  for (const key of byKey.keys()) visit(key, []);
  return byKey;
}
