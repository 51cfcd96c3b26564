// Segment's FQL subset for subscriptions and destination filters, parsed into an AST and
// interpreted (workerd forbids code generation, so no `new Function`). Grammar, following
// action-destinations `packages/destination-subscriptions/src/parse-fql.ts` and
// https://segment.com/docs/api/public-api/fql/ :
//   expr    := and ("or" and)*          -- `and` binds tighter than `or`
//   and     := unary ("and" unary)*
//   unary   := "!" unary | "(" expr ")" | call | field op literal
//   call    := ("contains" | "match") "(" field "," string ")"
//   literal := string | number | true | false | null
// Unlike Segment's lenient parser (`type = ` parses to "eos"), every malformed input is an FqlError.
import type { JsonValue } from "../spec/message.ts";
import { readPath, type EventRecord } from "./event-path.ts";
import { FqlError, tokenizeFql, type FqlToken } from "./fql-lexer.ts";
import { globMatches, parseGlob } from "./glob.ts";

export { FqlError } from "./fql-lexer.ts";

export type FqlOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type FqlLiteral = string | number | boolean | null;

export type FqlNode =
  | { kind: "and" | "or"; children: FqlNode[] }
  | { kind: "not"; child: FqlNode }
  | { kind: "compare"; field: string; operator: FqlOperator; value: FqlLiteral }
  | { kind: "contains"; field: string; value: string }
  | { kind: "match"; field: string; pattern: string };

/** Segment caps an FQL statement at 5 KB (destination-filters.md); deeper nesting is refused too. */
export const MAX_FQL_LENGTH = 5_120;
export const MAX_FQL_DEPTH = 32;

const TOP_LEVEL_FIELDS = [
  "type",
  "event",
  "name",
  "userId",
  "anonymousId",
  "messageId",
  "groupId",
  "category",
];
const FIELD_PREFIXES = ["properties.", "traits.", "context.", "integrations."];
const KEYWORDS = new Set(["and", "or", "true", "false", "null"]);
const FUNCTIONS = ["contains", "match"];

class Parser {
  private index = 0;
  private readonly tokens: FqlToken[];

  constructor(tokens: FqlToken[]) {
    this.tokens = tokens;
  }

  peek(): FqlToken {
    return this.tokens[this.index] as FqlToken;
  }

  take(): FqlToken {
    const token = this.peek();
    if (token.kind !== "end") this.index += 1;
    return token;
  }

  fail(expected: readonly string[], detail?: string): never {
    const token = this.peek();
    throw new FqlError(token.position, expected, describe(token), detail);
  }

  expectPunct(text: string): void {
    const token = this.peek();
    if (token.kind !== "punct" || token.text !== text) this.fail([`'${text}'`]);
    this.take();
  }

  parseOr(depth: number): FqlNode {
    const children = [this.parseAnd(depth)];
    while (this.isKeyword("or")) {
      this.take();
      children.push(this.parseAnd(depth));
    }
    return children.length === 1 ? (children[0] as FqlNode) : { kind: "or", children };
  }

  parseAnd(depth: number): FqlNode {
    const children = [this.parseUnary(depth)];
    while (this.isKeyword("and")) {
      this.take();
      children.push(this.parseUnary(depth));
    }
    return children.length === 1 ? (children[0] as FqlNode) : { kind: "and", children };
  }

  parseUnary(depth: number): FqlNode {
    if (depth > MAX_FQL_DEPTH) this.fail([], `nesting deeper than ${MAX_FQL_DEPTH}`);
    const token = this.peek();
    if (token.kind === "op" && token.text === "!") {
      this.take();
      return { kind: "not", child: this.parseUnary(depth + 1) };
    }
    if (token.kind === "punct" && token.text === "(") {
      this.take();
      const inner = this.parseOr(depth + 1);
      this.expectPunct(")");
      return inner;
    }
    if (token.kind !== "ident" || KEYWORDS.has(token.text))
      this.fail(["field", "'!'", "'('", ...FUNCTIONS]);
    const next = this.tokens[this.index + 1];
    if (next?.kind === "punct" && next.text === "(") return this.parseCall();
    return this.parseComparison();
  }

  parseCall(): FqlNode {
    const name = this.peek();
    if (!FUNCTIONS.includes(name.text)) this.fail(FUNCTIONS, `unknown function ${name.text}`);
    this.take();
    this.expectPunct("(");
    const field = this.parseField();
    this.expectPunct(",");
    const arg = this.peek();
    if (arg.kind !== "string") this.fail(["string"]);
    this.take();
    this.expectPunct(")");
    if (name.text === "contains") return { kind: "contains", field, value: arg.text };
    const glob = parseGlob(arg.text);
    if ("error" in glob) {
      throw new FqlError(arg.position + 1 + glob.offset, [], JSON.stringify(arg.text), glob.error);
    }
    return { kind: "match", field, pattern: arg.text };
  }

  parseField(): string {
    const token = this.peek();
    const known =
      token.kind === "ident" &&
      (TOP_LEVEL_FIELDS.includes(token.text) ||
        FIELD_PREFIXES.some((p) => token.text.startsWith(p) && token.text.length > p.length)) &&
      !token.text.endsWith(".") &&
      !token.text.includes("..");
    if (!known)
      this.fail(
        ["field"],
        `fields are ${TOP_LEVEL_FIELDS.join(", ")} or ${FIELD_PREFIXES.join("*, ")}*`,
      );
    this.take();
    return token.text;
  }

  parseComparison(): FqlNode {
    const field = this.parseField();
    const op = this.peek();
    if (op.kind !== "op" || op.text === "!")
      this.fail(["'='", "'!='", "'<'", "'<='", "'>'", "'>='"]);
    this.take();
    const operator = op.text as FqlOperator;
    const literal = this.peek();
    const ordered = operator !== "=" && operator !== "!=";
    if (ordered) {
      if (literal.kind !== "number") this.fail(["number"], `${operator} compares numbers only`);
      this.take();
      return { kind: "compare", field, operator, value: Number(literal.text) };
    }
    return { kind: "compare", field, operator, value: this.parseLiteral() };
  }

  parseLiteral(): FqlLiteral {
    const token = this.peek();
    let value: FqlLiteral;
    if (token.kind === "string") value = token.text;
    else if (token.kind === "number") value = Number(token.text);
    else if (token.kind === "ident" && token.text === "true") value = true;
    else if (token.kind === "ident" && token.text === "false") value = false;
    else if (token.kind === "ident" && token.text === "null") value = null;
    else this.fail(["string", "number", "true", "false", "null"]);
    this.take();
    return value;
  }

  isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === "ident" && token.text === word;
  }
}

function describe(token: FqlToken): string {
  if (token.kind === "end") return "end of input";
  if (token.kind === "string") return JSON.stringify(token.text);
  return `'${token.text}'`;
}

/** Parses an FQL statement into an AST. Throws FqlError (position, expected, found) when invalid. */
export function parseFql(source: string): FqlNode {
  if (source.length > MAX_FQL_LENGTH) {
    throw new FqlError(
      MAX_FQL_LENGTH,
      [],
      `${source.length} characters`,
      `FQL is limited to ${MAX_FQL_LENGTH} characters`,
    );
  }
  const parser = new Parser(tokenizeFql(source));
  const node = parser.parseOr(0);
  if (parser.peek().kind !== "end") parser.fail(["'and'", "'or'", "end of input"]);
  return node;
}

function equalsLiteral(value: JsonValue | undefined, literal: FqlLiteral): boolean {
  if (literal === null) return value === undefined || value === null;
  return value === literal;
}

/** Evaluates a parsed FQL AST against one event. Missing fields never throw. */
export function evaluateFql(node: FqlNode, event: EventRecord): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((child) => evaluateFql(child, event));
    case "or":
      return node.children.some((child) => evaluateFql(child, event));
    case "not":
      return !evaluateFql(node.child, event);
    case "contains": {
      // contains(null, …) is false (fql.md: null-safe defaults).
      const value = readPath(event, node.field);
      return typeof value === "string" && value.includes(node.value);
    }
    case "match": {
      const value = readPath(event, node.field);
      const tokens = parseGlob(node.pattern);
      return typeof value === "string" && Array.isArray(tokens) && globMatches(tokens, value);
    }
    case "compare":
      return compare(readPath(event, node.field), node.operator, node.value);
  }
}

function compare(
  value: JsonValue | undefined,
  operator: FqlOperator,
  literal: FqlLiteral,
): boolean {
  if (operator === "=") return equalsLiteral(value, literal);
  if (operator === "!=") return !equalsLiteral(value, literal);
  if (typeof value !== "number" || typeof literal !== "number") return false;
  if (operator === "<") return value < literal;
  if (operator === "<=") return value <= literal;
  if (operator === ">") return value > literal;
  return value >= literal;
}

/**
 * Whether an event matches a subscription string. Fails closed: an invalid statement matches
 * nothing (fql.md: "Invalid FQL ⇒ event not sent").
 */
export function subscriptionMatches(source: string, event: EventRecord): boolean {
  try {
    return evaluateFql(parseFql(source), event);
  } catch (error) {
    if (error instanceof FqlError) return false;
    throw error;
  }
}
