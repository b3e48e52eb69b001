// Holds the real answers of a running tthc to docs/openapi.json, with ajv (a JSON Schema
// validator) at the version pinned in tests/openapi/package.json. Run by scripts/openapi_test.sh,
// which starts the server on the demo province and makes the keys.
//
// What it asks: every operation of the document, the loads with the document's own CSV
// examples; each GET once per value of each of its enumerated query parameters (group_by,
// interval, metric, level, channel, rebase, format, ...), read from the document itself, so a
// value added there is asked here; each GET that documents a 304 again with its ETag; every
// OPTIONS (a CORS preflight from an allowed origin, then from another); and the errors that
// can be reached from outside: 400, 401, 403, 404, 405, 413, 415, 422, 429.
//
// What it checks for each answer: the status is one the document lists for that path and
// method (and the one the case expects); a body comes with a media type the response lists
// (its parameters, e.g. charset=utf-8, present too); a JSON body (application/json,
// application/problem+json) is valid against the response's schema; a 304 or 204 has no body.
// Then it fails if an operation of the document never gave a successful answer, so an
// endpoint added to the document without a case here cannot pass.
//
// OpenAPI 3.0 schemas are JSON Schema draft 4/5 with a few changes: ajv understands
// `nullable` (with a `type`), the `example` keyword is declared as an annotation, and the
// document's `int64` format is an integer check. Everything else is strict (an unknown keyword
// in a schema is an error).
//
// Usage: node validate.mjs BASE_URL DOC.json   (keys in TTHC_ADMIN_KEY, TTHC_READ_KEY and
// TTHC_LIMITED_KEY). Prints one line per answer and ends with `openapi: N answers, M failed`.
import http from "node:http";
import fs from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [base, docPath] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(docPath, "utf8"));
const ADMIN = process.env.TTHC_ADMIN_KEY;
const READ = process.env.TTHC_READ_KEY;
const LIMITED = process.env.TTHC_LIMITED_KEY;
const ORIGIN = process.env.TTHC_ORIGIN || "http://allowed.test";
const MAX_BODY = Number(process.env.TTHC_MAX_BODY || 65536);
const PERIOD = { from: "2023-12-15", to: "2024-08-31" }; // the demo's nine months

// ---- the document's schemas in ajv ------------------------------------------------------
const SCHEMA_BASE = "https://tthc.test/schemas/";
const ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false });
addFormats(ajv);
ajv.addVocabulary(["example"]);
ajv.addFormat("int64", { type: "number", validate: (n) => Number.isSafeInteger(n) });

// A copy of s whose local $refs point at the schemas registered below.
function rebase(s) {
  if (Array.isArray(s)) return s.map(rebase);
  if (s && typeof s === "object") {
    const out = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === "$ref" && typeof v === "string") {
        const m = v.match(/^#\/components\/schemas\/(.+)$/);
        if (!m) throw new Error(`a $ref this test cannot resolve: ${v}`);
        out[k] = SCHEMA_BASE + m[1];
      } else out[k] = rebase(v);
    }
    return out;
  }
  return s;
}
for (const [name, s] of Object.entries(doc.components.schemas))
  ajv.addSchema({ ...rebase(s), $id: SCHEMA_BASE + name });

const compiled = new Map();
function validator(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
  return compiled.get(key);
}

// Follows a local $ref of the document (#/components/...).
function deref(o) {
  while (o && o.$ref) {
    o = o.$ref
      .slice(2)
      .split("/")
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((a, p) => a[p], doc);
  }
  return o;
}

// ---- the document's operations ----------------------------------------------------------
const METHODS = ["get", "post", "put", "patch", "delete", "options", "head"];
const operations = [];
for (const [template, item] of Object.entries(doc.paths)) {
  for (const m of METHODS) {
    if (!item[m]) continue;
    const parts = template.split(/\{[^}]+\}/);
    // A path parameter is everything after its prefix (it may contain '/', api.md).
    const re = new RegExp(
      "^" + parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("(.+)") + "$",
    );
    const params = [...(item.parameters || []), ...(item[m].parameters || [])].map(deref);
    operations.push({ template, method: m.toUpperCase(), op: item[m], re, params, ok: 0 });
  }
}
function operationOf(method, path) {
  return operations.find((o) => o.method === method && o.re.test(path));
}

// ---- requests ---------------------------------------------------------------------------
function request(method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = http.request(u, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let answers = 0;
const failures = [];
function fail(what, text) {
  failures.push(`${what}: ${text}`);
  console.log(`FAIL ${what}: ${text}`);
}

// "type/subtype" and its parameters, lower-cased.
function mediaType(text) {
  const [type, ...params] = String(text || "").split(";").map((s) => s.trim().toLowerCase());
  return { type, params: params.filter(Boolean).map((p) => p.replace(/\s*=\s*/, "=")) };
}

// Checks one answer against the document; returns the answer. expect: the status the case
// must get; response: a components/responses name for answers that belong to no operation
// (a 405 names its path, not an operation of it).
async function check(method, path, { expect, key = ADMIN, headers = {}, body, response } = {}) {
  const h = { ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  const what = `${method} ${path}${expect ? ` (${expect})` : ""}`;
  let res;
  try {
    res = await request(method, path, { headers: h, body });
  } catch (e) {
    fail(what, `no answer: ${e.message}`);
    return null;
  }
  answers++;
  const status = String(res.status);
  let spec;
  const o = operationOf(method, new URL(path, base).pathname);
  if (response) {
    spec = deref(doc.components.responses[response]);
  } else if (!o) {
    fail(what, "the document has no operation for this path and method");
    return res;
  } else {
    spec = deref(o.op.responses[status] || o.op.responses.default);
    if (!spec) {
      fail(what, `answered ${status}, which the document does not list (it lists ${Object.keys(o.op.responses).join(", ")})`);
      return res;
    }
  }
  if (expect && status !== String(expect)) {
    fail(what, `answered ${status}, not ${expect}: ${res.body.toString().slice(0, 300)}`);
    return res;
  }
  const problems = [];
  const content = spec.content || {};
  if (status === "304" || status === "204" || method === "HEAD") {
    if (res.body.length) problems.push(`a ${status} with a body of ${res.body.length} bytes`);
  } else if (res.body.length) {
    const got = mediaType(res.headers["content-type"]);
    const match = Object.keys(content).find((k) => {
      const want = mediaType(k);
      return want.type === got.type && want.params.every((p) => got.params.includes(p));
    });
    if (!match) {
      problems.push(`Content-Type ${res.headers["content-type"]} is not among the documented ${Object.keys(content).join(", ") || "(none)"}`);
    } else if (/json$/.test(got.type)) {
      const schema = content[match].schema;
      let value;
      try {
        value = JSON.parse(res.body.toString("utf8"));
      } catch (e) {
        problems.push(`the body is not JSON: ${e.message}`);
      }
      if (value !== undefined && schema) {
        const v = validator(schema);
        if (!v(value))
          problems.push(
            "not valid against the document's schema: " +
              v.errors.slice(0, 6).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`).join("; "),
          );
      }
    }
  } else if (Object.keys(content).length && status !== "200") {
    problems.push(`no body, but the document gives ${Object.keys(content).join(", ")}`);
  }
  if (problems.length) fail(what, problems.join("; "));
  else {
    console.log(`ok   ${what} -> ${status} ${res.headers["content-type"] || ""}`);
    if (o && !response && /^2/.test(status)) o.ok++;
  }
  return res;
}

// ---- the cases --------------------------------------------------------------------------
const q = (o) => "?" + new URLSearchParams(o).toString();
const csvExample = (name) => deref(doc.components.requestBodies[name]).content["text/csv"].example;
const post = (path, ctype, body, opts = {}) =>
  check("POST", path, { headers: { "Content-Type": ctype }, body, ...opts });

// Loads: the document's own CSV examples, in the order their references need, plus the
// commune the dossier example is filed at.
await post("/api/v1/units", "text/csv", csvExample("UnitRecords"), { expect: 200 });
await post("/api/v1/units", "application/json",
  JSON.stringify([{ code: "T01.H1.X1", name: "Xã Một", level: "commune", parent_code: "T01.H1" }]),
  { expect: 200 });
await post("/api/v1/procedures", "text/csv", csvExample("ProcedureRecords"), { expect: 200 });
await post("/api/v1/dossiers", "text/csv", csvExample("DossierRecords"), { expect: 200 });
await post("/api/v1/feedback", "text/csv", csvExample("FeedbackRecords"), { expect: 200 });
await post("/api/v1/ratings", "text/csv", csvExample("RatingRecords"), { expect: 200 });
await post("/api/v1/payments", "text/csv", csvExample("PaymentRecords"), { expect: 200 });
await post("/api/v1/announcements", "text/csv", csvExample("AnnouncementRecords"), { expect: 200 });
await post("/api/v1/holidays", "text/csv", csvExample("HolidayRecords"), { expect: 200 });
await post("/api/v1/dvcqg/dossiers", "application/x-ndjson",
  JSON.stringify({ MaHoSo: "HS-P1", MaDonVi: "T01.H1.X1", MaTTHC: "1.000894", KenhThucHien: 2,
    TrangThaiHoSo: 10, NgayTiepNhan: "20240301091200", NgayHenTra: "20240315170000",
    NgayKetThucXuLy: "20240313163000", ChuHoSo: "not stored" }) + "\n", { expect: 200 });

// Reads of what was loaded; every path parameter of the document needs a value here.
const KEYS = {
  "/api/v1/units/{code}": "T01.H1",
  "/api/v1/procedures/{code}": "1.000894",
  "/api/v1/dossiers/{code}": "HS-1",
  "/api/v1/dvcqg/dossiers/{code}": "HS-1",
  "/api/v1/feedback/{code}": "PAKN-1",
  "/api/v1/ratings/{code}": "DG-1",
  "/api/v1/payments/{id}": "GD-1",
  "/api/v1/announcements/{code}": encodeURIComponent("512/QĐ-UBND"),
  "/api/v1/holidays/{day}": "2024-11-24",
  "/assets/{name}": "vendor/uplot/uPlot.iife.min.js",
};
// The query every GET starts from (its required parameters); those not named take none.
const BASE_QUERY = {
  "/api/v1/summary": PERIOD,
  "/api/v1/series": { ...PERIOD, interval: "month" },
  "/api/v1/rankings": { ...PERIOD, metric: "on_time_rate", level: "district" },
  "/api/v1/reports/form06": PERIOD,
  "/api/v1/index766": PERIOD,
  "/api/v1/holidays": { year: "2024" },
};

for (const o of operations.filter((o) => o.method === "GET")) {
  let path = o.template;
  if (/\{/.test(path)) {
    if (!(o.template in KEYS)) {
      fail(`GET ${o.template}`, "no value for its path parameter in validate.mjs (KEYS)");
      continue;
    }
    path = o.template.replace(/\{[^}]+\}/, KEYS[o.template]);
  }
  const baseQuery = BASE_QUERY[o.template] || {};
  const first = await check("GET", path + (Object.keys(baseQuery).length ? q(baseQuery) : ""), {
    expect: 200,
  });
  // 304: the same request with the answer's ETag.
  if (o.op.responses["304"] && first && first.headers.etag)
    await check("GET", path + (Object.keys(baseQuery).length ? q(baseQuery) : ""), {
      expect: 304,
      headers: { "If-None-Match": first.headers.etag },
    });
  else if (o.op.responses["304"]) fail(`GET ${path}`, "documents a 304 but its 200 had no ETag");
  // Each value of each enumerated query parameter.
  for (const p of o.params.filter((p) => p.in === "query")) {
    const values = deref(p.schema || {}).enum;
    if (!values) continue;
    for (const v of values) {
      if (v === null) continue;
      await check("GET", path + q({ ...baseQuery, [p.name]: v }), { expect: 200 });
    }
  }
}

// Every OPTIONS: a preflight from the allowed origin, one from another, and a plain one.
for (const o of operations.filter((o) => o.method === "OPTIONS")) {
  const other = operations.find((x) => x.template === o.template && x.method !== "OPTIONS");
  const path = o.template.includes("{") ? o.template.replace(/\{[^}]+\}/, KEYS[o.template] || "x") : o.template;
  const pre = { Origin: ORIGIN, "Access-Control-Request-Method": other ? other.method : "GET" };
  const r = await check("OPTIONS", path, { expect: 204, key: null, headers: pre });
  if (r && r.headers["access-control-allow-origin"] !== ORIGIN)
    fail(`OPTIONS ${path}`, `Access-Control-Allow-Origin is ${r.headers["access-control-allow-origin"]}, not ${ORIGIN}`);
}
await check("OPTIONS", "/api/v1/summary", {
  expect: 403, key: null,
  headers: { Origin: "http://elsewhere.test", "Access-Control-Request-Method": "GET" },
});
await check("OPTIONS", "/api/v1/summary", { expect: 204, key: null });

// Errors.
await check("GET", "/api/v1/summary" + q({ from: "2024-02-30", to: "2024-03-01" }), { expect: 400 });
await check("GET", "/api/v1/summary" + q({ ...PERIOD, group_by: "nothing" }), { expect: 400 });
await check("GET", "/api/v1/series" + q({ ...PERIOD, interval: "fortnight" }), { expect: 400 });
await check("GET", "/api/v1/rankings" + q({ ...PERIOD, metric: "on_time_rate" }), { expect: 400 });
await check("GET", "/api/v1/reports/form06" + q({ from: PERIOD.to, to: PERIOD.from }), { expect: 400 });
await check("GET", "/api/v1/index766" + q({ ...PERIOD, version: "qd766.1999" }), { expect: 400 });
await check("GET", "/api/v1/holidays" + q({ year: "24" }), { expect: 400 });
await check("GET", "/api/v1/units/T01" + q({ x: "1" }), { expect: 400 });
await check("GET", "/healthz" + q({ x: "1" }), { expect: 400 });
await post("/api/v1/units", "application/json", "[{", { expect: 400 });
await check("GET", "/api/v1/units/NO-SUCH-UNIT", { expect: 404 });
await check("GET", "/api/v1/holidays/1999-01-09", { expect: 404 });
await check("GET", "/assets/no-such-file.js", { expect: 404 });
await check("GET", "/api/v1/summary" + q(PERIOD), { expect: 401, key: "tthc_" + "A".repeat(43) });
await post("/api/v1/units", "application/json", "[]", { expect: 401, key: null });
await post("/api/v1/units", "application/json", "[]", { expect: 403, key: READ });
await post("/api/v1/units", "application/json", "[" + " ".repeat(MAX_BODY) + "]", { expect: 413 });
await post("/api/v1/units", "text/plain", "code\nT9\n", { expect: 415 });
await post("/api/v1/units", "application/json", JSON.stringify([{ code: "T9" }]), { expect: 422 });
await post("/api/v1/dvcqg/dossiers", "application/json", JSON.stringify([{ MaHoSo: "HS-P2" }]), { expect: 422 });
await check("DELETE", "/api/v1/summary", { expect: 405, response: "MethodNotAllowed" });
// 429: a key that is not exempt, past its burst.
let limited = null;
for (let i = 0; i < 200 && !limited; i++) {
  const r = await request("GET", "/api/v1/metrics", { headers: { Authorization: `Bearer ${LIMITED}` } });
  if (r.status === 429) limited = true;
}
if (!limited) fail("GET /api/v1/metrics", "200 requests of a limited key were never refused with 429");
else await check("GET", "/api/v1/metrics", { expect: 429, key: LIMITED });

// ---- coverage ---------------------------------------------------------------------------
for (const o of operations)
  if (!o.ok)
    fail(`${o.method} ${o.template}`, "the document has this operation but no case here got a valid successful answer from it (add one to tests/openapi/validate.mjs)");

console.log(`openapi: ${answers} answers, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
