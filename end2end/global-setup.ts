// Starts the real `agent-notify` (built by `cargo leptos build`) with the embedded
// defaults in a temporary directory, a fast sandbox provider, and a fake CRM that
// speaks the customer-details lookup. Returns the teardown.
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ADMIN_PASSWORD, SECRET } from "./tests/support";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** The fake CRM: call `crm-known` has a customer, `crm-slow` never answers in time;
 * the number +919876511111 is another customer's. */
async function fakeCrm(): Promise<[Server, number]> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://crm");
    const callId = url.searchParams.get("call_id") ?? "";
    if (callId.startsWith("crm-slow")) {
      setTimeout(() => res.end("{}"), 5_000);
      return;
    }
    if (callId.startsWith("crm-known")) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ name: "Asha Rao", numbers: ["+919812345678"], fields: { order_id: "A-17" } }));
      return;
    }
    if (url.searchParams.get("number") === "+919876511111") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ id: "c-9", name: "Ravi Kumar", numbers: ["+919876511111"] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return [server, (server.address() as AddressInfo).port];
}

/** A fake WhatsApp Cloud API: takes every message (`wamid.E2E…` ids, counted at
 * `GET /count`) as Meta documents its answer. */
async function fakeMeta(): Promise<[Server, number]> {
  let taken = 0;
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.method === "GET" && req.url === "/count") {
      res.end(JSON.stringify({ taken }));
      return;
    }
    req.resume();
    req.on("end", () => {
      taken += 1;
      const id = `wamid.E2E${String(taken).padStart(8, "0")}`;
      res.end(JSON.stringify({ messaging_product: "whatsapp", contacts: [], messages: [{ id, message_status: "accepted" }] }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return [server, (server.address() as AddressInfo).port];
}

/** A softphone page on an origin of its own (another port): it frames the widget
 * named by `?widget=` and posts it the token from its own fragment when the widget
 * says it is ready. */
async function foreignHost(): Promise<[Server, number]> {
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Softphone</title></head><body>
<h1>Another site's softphone</h1>
<iframe id="widget" title="Agent Notify" style="width:440px;height:700px"></iframe>
<script>
  const params = new URLSearchParams(location.search);
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  const widgetUrl = new URL(params.get("widget"));
  const frame = document.getElementById("widget");
  window.received = [];
  window.addEventListener("message", (event) => {
    if (event.origin !== widgetUrl.origin) return;
    window.received.push(event.data);
    if (event.data.type === "agent-notify:ready") {
      frame.contentWindow.postMessage({ type: "agent-notify:prefill", token, call_id: params.get("call_id") }, widgetUrl.origin);
    }
  });
  frame.src = widgetUrl.href;
</script></body></html>`;
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(page);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return [server, (server.address() as AddressInfo).port];
}

export default async function globalSetup() {
  const root = resolve(__dirname, "..");
  const dir = mkdtempSync(join(tmpdir(), "agent-notify-e2e-"));
  const port = await freePort();
  const [crm, crmPort] = await fakeCrm();
  const [host, hostPort] = await foreignHost();
  const [meta, metaPort] = await fakeMeta();
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  const child: ChildProcess = spawn(join(root, "target/debug/agent-notify"), ["serve"], {
    cwd: dir,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      RUST_LOG: "warn",
      NOTIFY_CONFIG: join(dir, "none.toml"),
      NOTIFY_DATA_DIR: dir,
      NOTIFY_DATABASE__URL: `sqlite://${join(dir, "notify.db")}`,
      NOTIFY_AUTH__TOKEN_SECRET: SECRET,
      NOTIFY_AUTH__INITIAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      NOTIFY_PROVIDERS__SANDBOX__SENT_AFTER_MS: "300",
      NOTIFY_PROVIDERS__SANDBOX__DELIVERED_AFTER_MS: "700",
      NOTIFY_WORKER__RETRY_BASE_MS: "50",
      NOTIFY_WORKER__MAX_ATTEMPTS: "2",
      NOTIFY_CRM__LOOKUP_URL: `http://127.0.0.1:${crmPort}/customer`,
      NOTIFY_CRM__TIMEOUT_MS: "800",
      // WhatsApp accounts the specs add send here (the demo's own channels stay on the sandbox).
      NOTIFY_PROVIDERS__ENDPOINTS__META: `http://127.0.0.1:${metaPort}/meta`,
      // A softphone on another origin (served by the browser itself in security.spec.ts).
      NOTIFY_EMBED__ALLOWED_ORIGINS: `["${hostOrigin}"]`,
      NOTIFY_EMBED__CALL_GRACE_SECS: "4",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: join(root, "target/site"),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("agent-notify did not start");
    await new Promise((ok) => setTimeout(ok, 100));
  }
  process.env.AGENT_NOTIFY_URL = url;
  process.env.AGENT_NOTIFY_HOST_ORIGIN = hostOrigin;
  process.env.AGENT_NOTIFY_FAKE_META = `http://127.0.0.1:${metaPort}`;
  return async () => {
    child.kill("SIGTERM");
    await new Promise((ok) => child.once("exit", ok));
    crm.close();
    host.close();
    meta.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
