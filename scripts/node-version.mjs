// wrangler 4 and Node's TypeScript type stripping need Node 22. npm scripts get it from the `node`
// devDependency (npm puts node_modules/.bin first on PATH); a bare `node scripts/x.mjs` under an
// older system Node would fail obscurely, so say what to do instead.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `Foyer's scripts need Node >= 22 (this is ${process.version}). ` +
      "Run them through npm (`npm start`, `npm test`, `npm run bench`) or `npx node …`, " +
      "which use the Node 22 installed as a devDependency.",
  );
  process.exit(1);
}
