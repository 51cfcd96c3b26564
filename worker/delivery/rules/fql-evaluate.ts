// Interprets an FQL AST (fql.ts) against one event, following the operator table of
// https://segment.com/docs/api/public-api/fql/#operators : `=` is true only for the same type and
// strict (deep, for lists) equality; ordered comparisons need numbers on both sides; `in` looks
// the left value up in a list; `and`/`or`/`!` treat anything but `true` as false.
import { readPath, type EventRecord } from "../../message/index.ts";
import type { FqlNode } from "./fql.ts";
import { FQL_FUNCTIONS, fqlTypeOf, type FqlValue } from "./fql-functions.ts";

function deepEqual(a: FqlValue, b: FqlValue): boolean {
  if (fqlTypeOf(a) !== fqlTypeOf(b)) return false;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i] as FqlValue));
  const left = a as Record<string, FqlValue>;
  const right = b as Record<string, FqlValue>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every(
      (key) =>
        Object.hasOwn(right, key) && deepEqual(left[key] as FqlValue, right[key] as FqlValue),
    )
  );
}

function compare(node: Extract<FqlNode, { kind: "compare" }>, event: EventRecord): boolean {
  const left = valueOf(node.left, event);
  const right = valueOf(node.right, event);
  switch (node.operator) {
    case "=":
      return deepEqual(left, right);
    case "!=":
      return !deepEqual(left, right);
    case "in":
      return Array.isArray(right) && right.some((item) => deepEqual(left, item));
  }
  if (typeof left !== "number" || typeof right !== "number") return false;
  if (node.operator === "<") return left < right;
  if (node.operator === "<=") return left <= right;
  if (node.operator === ">") return left > right;
  return left >= right;
}

function valueOf(node: FqlNode, event: EventRecord): FqlValue {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "field":
      return readPath(event, node.path) ?? null;
    case "list":
      return node.items.map((item) => valueOf(item, event));
    case "call":
      return FQL_FUNCTIONS[node.name].apply(node.args.map((arg) => valueOf(arg, event)));
    case "not":
      return valueOf(node.child, event) !== true;
    case "and":
      return node.children.every((child) => valueOf(child, event) === true);
    case "or":
      return node.children.some((child) => valueOf(child, event) === true);
    case "compare":
      return compare(node, event);
  }
}

/** Evaluates a parsed FQL statement against one event: true only when it yields `true`. */
export function evaluateFql(node: FqlNode, event: EventRecord): boolean {
  return valueOf(node, event) === true;
}
