// Builds the browser side of backprop_nb's widgets: every js/src/*.js file becomes one ES module
// in backprop_nb/widgets/static/ (with a .css beside it when it imports CSS), bundled with the npm
// packages it imports, and a <name>.LICENSES.txt listing the licence of each bundled package.
//
//   npm ci && node build.mjs                  # rebuild the shipped bundles
//   node build.mjs --outdir DIR               # build somewhere else (the tests compare the two)
//
// The output depends only on js/src and on package-lock.json, so a rebuild gives the same bytes.
// `pip install` never runs this: the built files are committed as package data.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outdirFlag = args.indexOf("--outdir");
const outdir = resolve(outdirFlag >= 0 ? args[outdirFlag + 1] : join(here, "..", "backprop_nb", "widgets", "static"));

// npm packages whose tarball carries no licence file, with the texts in js/licenses/ that cover them.
const LICENSE_TEXTS = {
  "@viz-js/viz": ["viz-js.txt", "graphviz-EPL-2.0.txt"],
};

function packageOf(inputPath) {
  const parts = inputPath.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const name = parts[at + 1].startsWith("@") ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  return name;
}

function licenseText(name) {
  const root = join(here, "node_modules", ...name.split("/"));
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const header = `${name} ${pkg.version} (${pkg.license})`;
  const texts = LICENSE_TEXTS[name]
    ? LICENSE_TEXTS[name].map((file) => readFileSync(join(here, "licenses", file), "utf8"))
    : readdirSync(root)
        .filter((file) => /^(licen[cs]e|copying|notice)/i.test(file))
        .sort()
        .map((file) => readFileSync(join(root, file), "utf8"));
  if (texts.length === 0) {
    throw new Error(`${name} ships no licence file: add its text to js/licenses/ and LICENSE_TEXTS`);
  }
  return `${"=".repeat(78)}\n${header}\n${"=".repeat(78)}\n\n${texts.join("\n\n")}`;
}

mkdirSync(outdir, { recursive: true });
const entries = readdirSync(join(here, "src"))
  .filter((file) => file.endsWith(".js"))
  .sort();
for (const entry of entries) {
  const result = await esbuild.build({
    entryPoints: [join(here, "src", entry)],
    outdir,
    bundle: true,
    format: "esm",
    target: "es2020",
    minify: true,
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  const packages = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = packageOf(input);
    if (name) packages.add(name);
  }
  const name = entry.replace(/\.js$/, "");
  const sorted = [...packages].sort();
  const notice = sorted.length
    ? `Third-party software bundled in ${name}.js, with its licences.\n\n${sorted.map(licenseText).join("\n\n")}`
    : `${name}.js bundles no third-party software.\n`;
  writeFileSync(join(outdir, `${name}.LICENSES.txt`), notice);
  const sizes = Object.entries(result.metafile.outputs)
    .map(([file, info]) => `${relative(process.cwd(), file).split(sep).join("/")} ${(info.bytes / 1024).toFixed(0)} KB`)
    .join(", ");
  console.log(`${entry}: ${sizes}; bundles ${sorted.join(", ") || "nothing from npm"}`);
}
