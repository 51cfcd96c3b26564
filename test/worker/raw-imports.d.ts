// Vite's `?raw` import suffix (a file's text as a string), which the worker tests use to check
// code against configuration such as wrangler.toml: https://vite.dev/guide/assets#importing-asset-as-string
declare module "*?raw" {
  const text: string;
  export default text;
}
