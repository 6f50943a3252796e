// The demo host: it knows the agent's token (minted with the shared secret) and the
// call. The token arrives in this page's fragment (#token=…) and goes to the widget in
// the widget's fragment, or by postMessage with ?deliver=message: never in a URL a
// server sees.
const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get("token") || "";
history.replaceState(null, "", location.pathname + location.search);
const callId = params.get("call_id") || "demo-call-1";
const number = params.get("number") || document.getElementById("number").value;
document.getElementById("call").textContent = callId;
document.getElementById("caller").textContent = number;
document.getElementById("number").value = number;
const widget = document.getElementById("widget");
const query = new URLSearchParams({ call_id: callId, number, country: "IN" });
if (params.get("deliver") === "message") {
  // The widget says when it listens; then it gets the token.
  window.addEventListener("message", (event) => {
    if (event.origin === location.origin && event.data?.type === "agent-notify:ready") {
      widget.contentWindow.postMessage({ type: "agent-notify:prefill", token, call_id: callId }, location.origin);
    }
  });
  widget.src = "/widget?" + query;
} else {
  widget.src = "/widget?" + query + "#" + new URLSearchParams({ token });
}
const log = document.getElementById("events");
window.receivedEvents = [];
window.addEventListener("message", (event) => {
  if (event.origin !== location.origin || !String(event.data?.type).startsWith("agent-notify:")) return;
  window.receivedEvents.push(event.data);
  log.textContent += JSON.stringify(event.data) + "\n";
});
document.getElementById("prefill").addEventListener("click", () => {
  widget.contentWindow.postMessage({ type: "agent-notify:prefill", number: document.getElementById("number").value,
    country: "IN", call_id: callId }, location.origin);
});
