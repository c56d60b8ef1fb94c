// Parses every .tf file of the root module with the HCL2 parser (@cdktf/hcl2json), formats it with
// the formatter terraform fmt uses (@cdktf/hcl-tools), and lists the references in every
// expression. Writes one JSON report for the policy tests; a file that does not parse fails here.
//
//   node src/test/node/parse-terraform.mjs MODULE_DIR REPORT_FILE
import { parse, getReferencesInExpression } from "@cdktf/hcl2json";
import { format } from "@cdktf/hcl-tools";
import fs from "node:fs";
import path from "node:path";

const [moduleDir, reportFile] = process.argv.slice(2);
if (!moduleDir || !reportFile) {
  console.error("usage: parse-terraform.mjs MODULE_DIR REPORT_FILE");
  process.exit(2);
}

// Every string in the parsed configuration that holds an interpolation, with its file.
function expressions(value, out) {
  if (typeof value === "string") {
    if (value.includes("${")) out.push(value);
  } else if (Array.isArray(value)) {
    value.forEach((v) => expressions(v, out));
  } else if (value && typeof value === "object") {
    Object.values(value).forEach((v) => expressions(v, out));
  }
  return out;
}

// The interpolations of a template string, each as "${...}". Literal text around them may hold
// quotes that the expression parser would take for the end of the string, so each is parsed alone.
function interpolations(template) {
  const out = [];
  for (let i = 0; i < template.length - 1; i++) {
    if (template[i] === "$" && template[i + 1] === "$") {
      i++;
      continue;
    }
    if (template[i] !== "$" || template[i + 1] !== "{") continue;
    let depth = 0;
    let quoted = false;
    let j = i + 1;
    for (; j < template.length; j++) {
      const c = template[j];
      if (quoted) {
        if (c === "\\") j++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    out.push(template.slice(i, j + 1));
    i = j;
  }
  return out;
}

const files = fs
  .readdirSync(moduleDir)
  .filter((f) => f.endsWith(".tf"))
  .sort();
if (files.length === 0) {
  console.error(`no .tf files in ${moduleDir}`);
  process.exit(1);
}

const report = { files: {}, references: [] };
let failed = false;
for (const file of files) {
  const text = fs.readFileSync(path.join(moduleDir, file), "utf8");
  let parsed;
  try {
    parsed = await parse(file, text);
  } catch (e) {
    console.error(`${file} does not parse: ${e.message || e}`);
    failed = true;
    continue;
  }
  const formatted = await format(text);
  report.files[file] = { parsed, text, formatted };
  // A variable's type is a type constraint (string, map(string)), not an expression.
  const withoutTypes = structuredClone(parsed);
  for (const blocks of Object.values(withoutTypes.variable || {})) {
    blocks.forEach((block) => delete block.type);
  }
  for (const expression of expressions(withoutTypes, [])) {
    for (const interpolation of interpolations(expression)) {
      for (const reference of await getReferencesInExpression(file, interpolation)) {
        report.references.push({ file, reference: reference.value, expression: interpolation });
      }
    }
  }
}
if (failed) process.exit(1);

fs.mkdirSync(path.dirname(reportFile), { recursive: true });
fs.writeFileSync(reportFile, JSON.stringify(report, null, 1));
console.log(`parsed ${files.length} Terraform files into ${reportFile}`);
