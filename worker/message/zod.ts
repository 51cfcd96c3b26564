// zod, configured once for the whole worker: workerd forbids code generation at request time
// (https://developers.cloudflare.com/workers/runtime-apis/web-standards/#javascript-standards),
// so zod's JIT-compiled parsers stay off. Every worker module imports `z` from here.
import { z } from "zod";

z.config({ jitless: true });

export { z };
