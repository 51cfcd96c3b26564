// Segment's Filter Query Language for subscriptions and destination filters, parsed into an AST
// and interpreted by fql-evaluate.ts (workerd forbids code generation, so no `new Function`).
// Grammar, following https://segment.com/docs/api/public-api/fql/ :
//   expr       := and ("or" and)*          -- `and` binds tighter than `or`
//   and        := unary ("and" unary)*
//   unary      := "!" unary | comparison
//   comparison := operand (("=" | "!=" | "<" | "<=" | ">" | ">=" | "in") operand)?
//   operand    := "(" expr ")" | call | list | field | string | number | true | false | null
//   call       := function "(" expr ("," expr)* ")"
//   list       := "[" (expr ("," expr)*)? "]"
// Unlike Segment's lenient parser (`type = ` parses to "eos"), every malformed input is an FqlError.
import { FqlError, tokenizeFql, type FqlToken } from "./fql-lexer.ts";
import { parseGlob } from "./glob.ts";
import { FQL_FUNCTIONS, type FqlFunction } from "./fql-functions.ts";
import { evaluateFql } from "./fql-evaluate.ts";
import { type EventRecord, unsafeSegment } from "../../message/index.ts";

export { FqlError, type FqlErrorCode } from "./fql-lexer.ts";
export { evaluateFql } from "./fql-evaluate.ts";

export type FqlOperator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "in";
export type FqlLiteral = string | number | boolean | null;

export type FqlNode =
  | { kind: "and" | "or"; children: FqlNode[] }
  | { kind: "not"; child: FqlNode }
  | { kind: "compare"; operator: FqlOperator; left: FqlNode; right: FqlNode }
  | { kind: "call"; name: FqlFunction; args: FqlNode[] }
  | { kind: "list"; items: FqlNode[] }
  | { kind: "field"; path: string[] }
  | { kind: "literal"; value: FqlLiteral };

/** Segment caps an FQL statement at 5 KB (destination-filters.md); deeper nesting is refused too. */
export const MAX_FQL_LENGTH = 5_120;
export const MAX_FQL_DEPTH = 32;

const KEYWORDS = new Set(["and", "or", "in", "true", "false", "null"]);
const COMPARISONS = ["=", "!=", "<", "<=", ">", ">="];
const OPERAND = ["field", "string", "number", "true", "false", "null", "'('", "'['", "'!'"];

class Parser {
  private index = 0;
  private readonly tokens: FqlToken[];

  constructor(tokens: FqlToken[]) {
    this.tokens = tokens;
  }

  peek(offset = 0): FqlToken {
    return (this.tokens[this.index + offset] ?? this.tokens[this.tokens.length - 1]) as FqlToken;
  }

  take(): FqlToken {
    const token = this.peek();
    if (token.kind !== "end") this.index += 1;
    return token;
  }

  fail(expected: readonly string[], detail?: string, at: FqlToken = this.peek()): never {
    throw new FqlError(at.position, expected, describe(at), detail);
  }

  isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.text === text;
  }

  expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail([`'${text}'`]);
    this.take();
  }

  isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === "ident" && token.text === word;
  }

  checkDepth(depth: number): void {
    if (depth > MAX_FQL_DEPTH) this.fail([], `nesting deeper than ${MAX_FQL_DEPTH}`);
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
    this.checkDepth(depth);
    const token = this.peek();
    if (token.kind === "op" && token.text === "!") {
      this.take();
      return { kind: "not", child: this.parseUnary(depth + 1) };
    }
    return this.parseComparison(depth);
  }

  parseComparison(depth: number): FqlNode {
    const left = this.parseOperand(depth);
    const op = this.peek();
    const isIn = op.kind === "ident" && op.text === "in";
    if (!isIn && (op.kind !== "op" || !COMPARISONS.includes(op.text))) return left;
    this.take();
    const operator = op.text as FqlOperator;
    const rightToken = this.peek();
    const right = this.parseOperand(depth);
    if (operator === "in" && right.kind === "literal")
      this.fail(["list", "field"], "in needs a list on its right", rightToken);
    if (operator !== "=" && operator !== "!=" && operator !== "in") {
      if (nonNumberLiteral(left)) this.fail(["number"], `${operator} compares numbers only`, op);
      if (nonNumberLiteral(right))
        this.fail(["number"], `${operator} compares numbers only`, rightToken);
    }
    return { kind: "compare", operator, left, right };
  }

  parseOperand(depth: number): FqlNode {
    this.checkDepth(depth);
    const token = this.peek();
    if (token.kind === "punct" && token.text === "(") {
      this.take();
      const inner = this.parseOr(depth + 1);
      this.expectPunct(")");
      return inner;
    }
    if (token.kind === "punct" && token.text === "[") return this.parseList(depth + 1);
    if (token.kind === "string") return { kind: "literal", value: this.take().text };
    if (token.kind === "number") return { kind: "literal", value: Number(this.take().text) };
    if (token.kind !== "ident") this.fail(OPERAND);
    if (token.text === "true" || token.text === "false" || token.text === "null") {
      this.take();
      return { kind: "literal", value: token.text === "null" ? null : token.text === "true" };
    }
    if (KEYWORDS.has(token.text)) this.fail(OPERAND);
    const next = this.peek(1);
    if (next.kind === "punct" && next.text === "(") return this.parseCall(depth + 1);
    const segments = token.segments ?? [token.text];
    if (segments.some((segment) => segment === ""))
      this.fail(["field"], "a field path has an empty segment");
    const unsafe = unsafeSegment(segments);
    if (unsafe !== undefined) {
      const detail = `a field path may not name ${JSON.stringify(unsafe)}`;
      throw new FqlError(token.position, ["field"], describe(token), detail, "unsafe_path");
    }
    this.take();
    return { kind: "field", path: segments };
  }

  parseList(depth: number): FqlNode {
    this.take();
    const items: FqlNode[] = [];
    if (!this.isPunct("]")) {
      items.push(this.parseOr(depth));
      while (this.isPunct(",")) {
        this.take();
        items.push(this.parseOr(depth));
      }
    }
    this.expectPunct("]");
    return { kind: "list", items };
  }

  parseCall(depth: number): FqlNode {
    const nameToken = this.take();
    const spec = FQL_FUNCTIONS[nameToken.text as FqlFunction] as
      { arity: number; literals: ReadonlyArray<readonly string[] | undefined> } | undefined;
    if (!Object.hasOwn(FQL_FUNCTIONS, nameToken.text) || spec === undefined) {
      throw new FqlError(
        nameToken.position,
        Object.keys(FQL_FUNCTIONS),
        `'${nameToken.text}'`,
        `unknown function ${nameToken.text}`,
        "fql_unsupported",
      );
    }
    this.expectPunct("(");
    const args: FqlNode[] = [];
    const argTokens: FqlToken[] = [];
    for (;;) {
      argTokens.push(this.peek());
      args.push(this.parseOr(depth));
      if (!this.isPunct(",")) break;
      this.take();
    }
    if (!this.isPunct(")")) this.fail([args.length < spec.arity ? "','" : "')'"]);
    if (args.length !== spec.arity) {
      const plural = spec.arity === 1 ? "" : "s";
      this.fail([], `${nameToken.text} takes ${spec.arity} argument${plural}`, nameToken);
    }
    this.take();
    args.forEach((arg, i) => {
      const allowed = spec.literals[i];
      if (arg.kind !== "literal" || allowed === undefined) return;
      const type = arg.value === null ? "null" : typeof arg.value;
      if (!allowed.includes(type))
        this.fail([allowed.join(" or ")], `${nameToken.text} argument ${i + 1}`, argTokens[i]);
    });
    const pattern = args[1];
    if (
      nameToken.text === "match" &&
      pattern?.kind === "literal" &&
      typeof pattern.value === "string"
    ) {
      const glob = parseGlob(pattern.value);
      const at = argTokens[1] as FqlToken;
      if ("error" in glob)
        throw new FqlError(
          at.position + 1 + glob.offset,
          [],
          JSON.stringify(pattern.value),
          glob.error,
        );
    }
    return { kind: "call", name: nameToken.text as FqlFunction, args };
  }
}

function nonNumberLiteral(node: FqlNode): boolean {
  return (node.kind === "literal" && typeof node.value !== "number") || node.kind === "list";
}

function describe(token: FqlToken): string {
  if (token.kind === "end") return "end of input";
  if (token.kind === "string") return JSON.stringify(token.text);
  return `'${token.text}'`;
}

/** Parses an FQL statement into an AST. Throws FqlError (code, position, expected, found) when invalid. */
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

/**
 * Whether an event matches a subscription string. Fails closed: an invalid statement matches
 * nothing (fql.md "Error Handling": invalid FQL means the event is not sent).
 */
export function subscriptionMatches(source: string, event: EventRecord): boolean {
  try {
    return evaluateFql(parseFql(source), event);
  } catch (error) {
    if (error instanceof FqlError) return false;
    throw error;
  }
}
