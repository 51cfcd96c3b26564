// Counts what the data path costs: Durable Object requests (every RPC call or fetch made on a
// stub) and Queue messages (one per `send`, one per message of a `sendBatch`) by binding, D1 rows
// written and read (each result's `meta`, which counts index rows as D1 bills them), and the rows
// each Durable Object class writes to its SQLite storage (meterStorage). Off unless the
// `FOYER_METER` variable is "1" (`npm run bench` sets it): then every entry point and every Durable
// Object wraps its env once, and the counts are read over `GET /admin/v1/meter`.
//
// The counts live in this module, so they are per isolate: wrangler's local runtime runs the worker
// and all its Durable Objects in one isolate, which is what the bench reads. In production each
// isolate would count its own calls; there the platform's own analytics are the source.

const counts = new Map<string, number>();

function bump(name: string, by = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + by);
}

/** True when this env asks for metering (`FOYER_METER = "1"`). */
export function meterEnabled(env: object): boolean {
  return (env as { FOYER_METER?: unknown }).FOYER_METER === "1";
}

/** Counts so far, e.g. `{"do:PROFILES": 12, "queue:DELIVERY": 3}`. */
export function meterSnapshot(): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/** Whether `value` is an object with every one of these methods (how a binding is recognized). */
function hasMethods(value: unknown, ...names: string[]): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === "function")
  );
}

const isNamespace = (value: unknown): value is DurableObjectNamespace =>
  hasMethods(value, "idFromName", "get");
const isQueue = (value: unknown): value is Queue => hasMethods(value, "send", "sendBatch");
const isD1 = (value: unknown): value is D1Database => hasMethods(value, "prepare", "batch");

type Method = (...args: unknown[]) => unknown;

/**
 * `target` with its methods passed through `around(name, method)`: what it returns replaces the
 * method (bound to `target`); undefined keeps the method as it is.
 */
function intercept<T extends object>(
  target: T,
  around: (prop: PropertyKey, method: Method) => Method | undefined,
): T {
  return new Proxy(target, {
    get(object, prop) {
      const value = (object as Record<PropertyKey, unknown>)[prop];
      if (typeof value !== "function") return value;
      const method: Method = (...args) => Reflect.apply(value as Method, object, args);
      return around(prop, method) ?? method;
    },
  });
}

/** A stub whose every method call counts as one request to `binding`. */
function meteredStub<T extends object>(stub: T, binding: string): T {
  return intercept(stub, (prop, method) =>
    typeof prop === "symbol" || prop === "then"
      ? undefined
      : (...args) => {
          bump(`do:${binding}`);
          return method(...args);
        },
  );
}

function meteredNamespace(namespace: DurableObjectNamespace, binding: string) {
  return intercept(namespace, (prop, method) =>
    prop === "get" || prop === "getByName"
      ? (...args) => meteredStub(method(...args) as object, binding)
      : undefined,
  );
}

function meteredQueue(queue: Queue, binding: string): Queue {
  return intercept(queue, (prop, method) => {
    if (prop === "send")
      return (...args) => {
        bump(`queue:${binding}`);
        return method(...args);
      };
    if (prop === "sendBatch")
      return (messages, ...rest) => {
        const list = [...(messages as Iterable<unknown>)];
        bump(`queue:${binding}`, list.length);
        return method(list, ...rest);
      };
    return undefined;
  });
}

function countD1(binding: string, result: unknown): void {
  const meta = (result as { meta?: { rows_written?: unknown; rows_read?: unknown } } | null)?.meta;
  if (typeof meta?.rows_written === "number") bump(`d1:${binding}:rows_written`, meta.rows_written);
  if (typeof meta?.rows_read === "number") bump(`d1:${binding}:rows_read`, meta.rows_read);
}

/** Each metered statement's runtime object: a batch must be given the runtime's own statements. */
const unwrapped = new WeakMap<object, D1PreparedStatement>();

/** A prepared statement whose `run` and `all` results are counted (`first` and `raw` carry no meta). */
function meteredStatement(statement: D1PreparedStatement, binding: string): D1PreparedStatement {
  const proxy = intercept(statement, (prop, method) => {
    if (prop === "bind")
      return (...args) => meteredStatement(method(...args) as D1PreparedStatement, binding);
    if (prop === "run" || prop === "all")
      return async (...args) => {
        const result = await (method(...args) as Promise<unknown>);
        countD1(binding, result);
        return result;
      };
    return undefined;
  });
  unwrapped.set(proxy, statement);
  return proxy;
}

function meteredD1(db: D1Database, binding: string): D1Database {
  return intercept(db, (prop, method) => {
    if (prop === "prepare")
      return (...args) => meteredStatement(method(...args) as D1PreparedStatement, binding);
    if (prop === "batch")
      return async (statements) => {
        // The runtime wants its own statement objects in a batch.
        const real = (statements as D1PreparedStatement[]).map((s) => unwrapped.get(s) ?? s);
        const results = await (method(real) as Promise<unknown[]>);
        for (const result of results) countD1(binding, result);
        return results;
      };
    return undefined;
  });
}

const wrapped = new WeakMap<object, object>();
const metered = new WeakSet<object>();

/** Which Durable Object class each SqlStorage and synchronous KV store belongs to (meterStorage). */
const storageOwners = new WeakMap<object, string>();
let storagePatched = false;

/**
 * Counts the rows each Durable Object class writes to its SQLite storage (`sql:<Class>:rows_written`):
 * each SQL statement's rows as its cursor reports them once it has run, and one row per
 * synchronous KV `put` or `delete` (KV lives in a SQLite table; Durable Object SQL storage is billed
 * by rows written, like D1). Patches the runtime's SqlStorage.exec and KV put/delete once per
 * isolate, only when metering.
 */
export function meterStorage(env: object, storage: DurableObjectStorage, owner: string): void {
  if (!meterEnabled(env)) return;
  storageOwners.set(storage.sql, owner);
  storageOwners.set(storage.kv, owner);
  if (storagePatched) return;
  storagePatched = true;
  const count = (self: object, rows: number) => {
    if (rows > 0) bump(`sql:${storageOwners.get(self) ?? "unknown"}:rows_written`, rows);
  };
  const sqlProto = Object.getPrototypeOf(storage.sql) as {
    exec: (...args: unknown[]) => SqlStorageCursor<Record<string, SqlStorageValue>>;
  };
  const exec = sqlProto.exec;
  sqlProto.exec = function (this: object, ...args: unknown[]) {
    const cursor = Reflect.apply(exec, this, args);
    count(this, cursor.rowsWritten);
    return cursor;
  };
  const kvProto = Object.getPrototypeOf(storage.kv) as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["put", "delete"] as const) {
    const original = kvProto[name];
    if (typeof original !== "function") continue;
    kvProto[name] = function (this: object, ...args: unknown[]) {
      const result = Reflect.apply(original, this, args);
      count(this, 1);
      return result;
    };
  }
}

/** The env with its Durable Object namespaces and Queues counted, or the env itself when off. */
export function meterEnv<E extends object>(env: E): E {
  if (metered.has(env) || !meterEnabled(env)) return env;
  const known = wrapped.get(env);
  if (known) return known as E;
  const bindings = new Map<PropertyKey, unknown>();
  const proxy = new Proxy(env, {
    get(target, prop) {
      if (bindings.has(prop)) return bindings.get(prop);
      const value = (target as Record<PropertyKey, unknown>)[prop];
      const name = String(prop);
      const out = isNamespace(value)
        ? meteredNamespace(value, name)
        : isQueue(value)
          ? meteredQueue(value, name)
          : isD1(value)
            ? meteredD1(value, name)
            : value;
      if (out !== value) bindings.set(prop, out);
      return out;
    },
  });
  wrapped.set(env, proxy);
  metered.add(proxy);
  return proxy;
}
